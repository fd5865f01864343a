"""Mapping a file's columns to fields: suggested from the header in any UI language, checked
before anything runs."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from saas.errors import InputError
from saas.metadata.definitions import Field, fields
from saas.metadata.i18n import LANGUAGES

# Headers people use that are not a field's label in any of the three languages.
ALIASES = {
    "name": ("full name", "contact name", "customer name", "名字", "客户名称", "客戶名稱", "联系人", "聯絡人",
             "联系人姓名", "聯絡人姓名", "客户姓名", "客戶姓名", "名称", "名稱"),
    "email": ("email", "e-mail", "mail", "email address", "e-mail address", "电子邮件", "電子郵件", "电子邮箱",
              "電子郵箱", "邮件", "郵件", "邮箱地址", "郵箱", "电邮", "電郵"),
    "phone": ("mobile", "mobile phone", "cell", "cellphone", "tel", "telephone", "phone number", "手机", "手機",
              "手机号", "手機號", "手机号码", "手機號碼", "电话号码", "電話號碼", "联系电话", "聯絡電話", "移动电话",
              "行動電話"),
    "company": ("company name", "organization", "organisation", "account", "公司名称", "公司名稱", "单位",
                "單位", "企业", "企業", "工作单位", "工作單位"),
    "title": ("title", "position", "role", "职务", "職務", "职称", "職稱", "岗位", "崗位"),
    "owner": ("owner", "sales rep", "销售", "銷售", "负责人", "負責人"),
}
PUNCTUATION = re.compile(r"[\s_\-:：*＊()（）\[\]【】.·/]+")


def fold(text: str) -> str:
    """A header folded for comparison: half-width, lower case, without spaces and punctuation."""
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def importable_fields(object_key: str) -> list[Field]:
    """The fields a column can be mapped to (editable ones, hidden or not)."""
    return [f for f in fields(object_key) if f.editable]


def _names(f: Field) -> list[str]:
    names = [f.key, *[f.labels.get(code, "") for code in LANGUAGES], *ALIASES.get(f.key, ())]
    return [fold(n) for n in names if n]


def suggest(object_key: str, headers: list[str]) -> list[str | None]:
    """A field key (or None) per column, matched on field keys, labels in every language and
    common aliases; each field is suggested for one column at most."""
    candidates = importable_fields(object_key)
    by_name: dict[str, str] = {}
    for f in candidates:
        for name in _names(f):
            by_name.setdefault(name, f.key)
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header in headers:
        key = by_name.get(fold(header))
        if key is not None and key not in taken:
            taken.add(key)
            mapping.append(key)
        else:
            mapping.append(None)
    return mapping


def match_choices(object_key: str) -> list[Field]:
    """Fields an import can match existing records on: e-mail, phone and unique fields."""
    return [f for f in importable_fields(object_key) if f.type in ("email", "phone") or f.unique]


def check(object_key: str, headers: list[str], mapping: list, match_on: str | None, on_duplicate: str) -> list:
    """The mapping made whole and checked; InputError names what is wrong."""
    known = {f.key: f for f in importable_fields(object_key)}
    mapping = [(m or None) for m in list(mapping)[:len(headers)]]
    mapping += [None] * (len(headers) - len(mapping))
    errors: dict[str, str] = {}
    seen: dict[str, int] = {}
    for index, key in enumerate(mapping):
        if key is None:
            continue
        if key not in known:
            errors[f"column_{index}"] = _("There is no field “%(key)s”.", key=key)
        elif key in seen:
            errors[f"column_{index}"] = _("%(field)s is mapped to two columns.", field=known[key].label())
        seen.setdefault(key, index)
    if not seen and not errors:
        errors["mapping"] = _("Map at least one column to a field.")
    for f in known.values():
        if f.required and not f.hidden and f.key not in seen and f.default is None:
            errors.setdefault("mapping", _("Map a column to %(field)s: it is required.", field=f.label()))
    if match_on:
        if match_on not in {f.key for f in match_choices(object_key)}:
            errors["match_on"] = _("Duplicates can be found by e-mail, phone or a unique field only.")
        elif match_on not in seen:
            errors["match_on"] = _("Map a column to %(field)s to find duplicates by it.",
                                   field=known[match_on].label())
    if on_duplicate not in ("skip", "update", "create"):
        errors["on_duplicate"] = _("Choose what a duplicate does.")
    if errors:
        raise InputError(errors, code="bad_mapping")
    return mapping
