"""Every user-facing string is translated into 简体中文 and 繁體中文: none missing, none fuzzy, and
each translation keeps the placeholders of its English original. The strings are also extracted
from the code here, so a string added without `make extract` fails too."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "saas" / "translations"
LOCALES = ["zh_Hans", "zh_Hant"]
# The same keywords as `make extract`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
SKIPPED_DIRS = {"node_modules", "instance", "test-results", "build", "dist"}
# %(name)s, %d, %.1f ... ("%%" is a literal percent sign) and str.format's {name}, {0}, {n:,}.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]"
                         r"|\{\w*(?:![rsa])?(?::[^{}]*)?\}")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _pot() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


def _catalog(locale: str) -> Catalog:
    return _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)


def _key(message_id: str | tuple) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


@cache
def _strings_in_code() -> frozenset[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def wanted(dirname: str) -> bool:
        name = Path(dirname).name
        return not (name.startswith((".", "_")) or name in SKIPPED_DIRS)

    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=wanted):
        if message:
            found.add(_key(message))
    return frozenset(found)


def _problems(message: Message | None, msgid: str) -> list[str]:
    if message is None:
        return [f"missing: {msgid!r}"]
    if message.fuzzy:
        return [f"fuzzy: {msgid!r}"]
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    if not all(strings):
        return [f"untranslated: {msgid!r}"]
    expected = _placeholders(ids[-1])
    return [f"placeholders {_placeholders(s)} instead of {expected}: {msgid!r}"
            for s in strings if _placeholders(s) != expected]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_of_the_template_is_translated(locale):
    catalog = _catalog(locale)
    problems = []
    for template_message in _pot():
        if template_message.id:
            msgid = _key(template_message.id)
            problems += _problems(catalog.get(template_message.id, template_message.context), msgid)
    assert not problems, f"{locale}: run `make extract` and translate:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_the_code_is_in_the_catalog(locale):
    catalog = _catalog(locale)
    known = {_key(m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_strings_in_code() - known)
    assert not missing, f"{locale}: run `make extract` and translate:\n" + "\n".join(map(repr, missing))


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders(locale):
    problems = [p for m in _catalog(locale) if m.id and m.string
                for p in _problems(m, _key(m.id)) if p.startswith("placeholders")]
    assert not problems, f"{locale}:\n" + "\n".join(problems)


def test_placeholder_check_catches_a_changed_name():
    message = Message("Join %(name)s", "加入 %(workspace)s", flags=["python-format"])
    assert _problems(message, message.id) == [
        "placeholders ['%(workspace)s'] instead of ['%(name)s']: 'Join %(name)s'"]
    assert _problems(Message("Save %(n)d%%", "保存 %(n)d%%"), "x") == []
    assert _problems(Message("Use at most {max} characters.", "最多 {maximum} 个字符。"), "x") == [
        "placeholders ['{maximum}'] instead of ['{max}']: 'x'"]
