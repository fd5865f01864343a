"""Reading each encoding and XLSX, and each cleaning rule."""
from __future__ import annotations

import codecs
import io
from datetime import date

import pytest
from openpyxl import Workbook

from saas.errors import InputError
from saas.metadata.definitions import field_map
from saas.modules.imports import cleaning, mapping, reading, runs
from saas.modules.imports.settings import Cleaning

HEADER_ZH = "姓名,手机,邮箱,公司\n"
ROWS_ZH = "张三,13812345678,ZHANG@Example.com,华为\n李四,139 0000 1111,li@example.com,\n"


def _upload(data: bytes, name: str = "people.csv", encoding: str | None = None):
    return runs.upload(io.BytesIO(data), name, "contacts", None, encoding)


@pytest.mark.parametrize("encoding,prefix,expected", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8"),
    ("gbk", b"", "gb18030"),
    ("gb18030", b"", "gb18030"),
])
def test_each_encoding_is_detected_and_read(tenant, encoding, prefix, expected):
    run = _upload(prefix + (HEADER_ZH + ROWS_ZH).encode(encoding))
    assert run.encoding == expected
    assert run.headers == ["姓名", "手机", "邮箱", "公司"]
    assert runs.preview(run)[0][:2] == ["张三", "13812345678"]
    assert run.mapping == ["name", "phone", "email", "company"]


def test_the_user_can_override_the_encoding(tenant):
    run = _upload((HEADER_ZH + ROWS_ZH).encode("gbk"), encoding="latin-1")
    assert run.headers[0] != "姓名"  # garbled, as the preview shows
    runs.change_encoding(run, "gb18030")
    assert run.headers[0] == "姓名" and run.mapping[0] == "name"


def test_big5_can_be_chosen(tenant):
    run = _upload("名稱,電子郵件\n陳大文,chan@example.hk\n".encode("big5"), encoding="big5")
    assert run.headers == ["名稱", "電子郵件"]
    assert run.mapping == ["name", "email"]


def test_xlsx_made_with_openpyxl(tenant):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "E-mail", "Phone", "Job title"])
    sheet.append(["Wang Fang", "wang@example.com", 13812345678, "采购经理"])
    sheet.append([None, None, None, None])
    sheet.append(["Zhao Lei", "zhao@example.com", "+86 139 0000 1111", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = _upload(buffer.getvalue(), "people.xlsx")
    assert run.file_kind == "xlsx" and run.encoding is None
    assert run.mapping == ["name", "email", "phone", "title"]
    rows = runs.preview(run)
    assert rows == [["Wang Fang", "wang@example.com", "13812345678", "采购经理"],
                    ["Zhao Lei", "zhao@example.com", "+86 139 0000 1111"]]


@pytest.mark.parametrize("data,name,code", [
    (b"", "people.csv", "empty"),
    (b"   \n\n", "people.csv", "empty"),
    ("姓名,邮箱\n".encode(), "people.csv", "no_rows"),
    (b"not a workbook", "people.xlsx", "bad_file"),
    (b"a,b\n1,2\n", "people.pdf", "bad_type"),
])
def test_bad_files_get_a_clear_message_and_leave_nothing(tenant, files_dir, data, name, code):
    with pytest.raises(InputError) as exc:
        _upload(data, name)
    assert exc.value.code == code and exc.value.fields["file"]
    assert not list((files_dir / str(tenant.id) / "imports").glob("*"))


def test_a_file_over_the_limit_is_refused(app, tenant):
    app.config["IMPORT_MAX_BYTES"] = 100
    with pytest.raises(InputError) as exc:
        _upload(b"name\n" + b"x" * 200)
    assert exc.value.code == "too_large" and "MB" in exc.value.fields["file"]


def test_headers_suggest_fields_in_every_language(tenant):
    headers = ["Name", "姓名", "名稱", "手機", "E-mail", "電子郵件", "職位", "Lifecycle stage", "Notes"]
    suggested = mapping.suggest("contact", headers)
    # Each field once: the first column that names it wins.
    assert suggested == ["name", None, None, "phone", "email", None, "title", "lifecycle_stage", None]
    assert mapping.suggest("contact", ["聯絡人姓名", "手机号码", "电子邮箱"]) == ["name", "phone", "email"]


def test_mapping_checks(tenant):
    with pytest.raises(InputError) as exc:
        mapping.check("contact", ["a", "b"], ["email", "email"], None, "skip")
    assert "column_1" in exc.value.fields
    with pytest.raises(InputError) as exc:
        mapping.check("contact", ["a"], ["email"], None, "skip")
    assert "mapping" in exc.value.fields  # the required Name is not mapped
    with pytest.raises(InputError) as exc:
        mapping.check("contact", ["a"], ["name"], "phone", "skip")
    assert "match_on" in exc.value.fields


# --- cleaning ----------------------------------------------------------------------------------

CN = Cleaning(phone_region="CN", date_order="dmy")
US = Cleaning(phone_region="US", date_order="mdy")


def test_trimming_and_free_text_keeps_full_width(tenant):
    name = field_map("contact")["name"]
    assert cleaning.clean(name, "\u3000 张三（北京） ", CN) == "张三（北京）"
    assert cleaning.clean(name, "   ", CN) is None


def test_full_width_to_half_width_where_the_type_wants_it(tenant):
    fields = field_map("contact")
    assert cleaning.clean(fields["email"], "ＺＨＡＮＧ＠ｅｘａｍｐｌｅ．ｃｏｍ", CN) == "zhang@example.com"
    assert cleaning.clean(fields["phone"], "１３８１２３４５６７８", CN) == "+8613812345678"
    assert cleaning.parse_date("２０２６年１１月２４日") == date(2026, 11, 24)
    assert cleaning.clean_number("￥１，２８０．５０") == "1280.50"


def test_phones_use_the_workspace_region(tenant):
    phone = field_map("contact")["phone"]
    assert cleaning.clean(phone, "138-1234-5678", CN) == "+8613812345678"
    assert cleaning.clean(phone, "(415) 555-2671", US) == "+14155552671"
    assert cleaning.clean(phone, "+852 2123 4567", CN) == "+85221234567"
    with pytest.raises(cleaning.CleanError):
        cleaning.clean(phone, "call me", CN)


def test_emails_are_lower_cased(tenant):
    assert cleaning.clean(field_map("contact")["email"], " Li.Si@Example.COM ", CN) == "li.si@example.com"


@pytest.mark.parametrize("text,order,expected", [
    ("2026-11-24", "dmy", date(2026, 11, 24)),
    ("2026/11/24", "dmy", date(2026, 11, 24)),
    ("2026.11.24", "dmy", date(2026, 11, 24)),
    ("2026年11月24日", "dmy", date(2026, 11, 24)),
    ("24/11/2026", "dmy", date(2026, 11, 24)),
    ("11/24/2026", "mdy", date(2026, 11, 24)),
    ("03/04/2026", "dmy", date(2026, 4, 3)),
    ("03/04/2026", "mdy", date(2026, 3, 4)),
])
def test_dates_in_the_common_forms(text, order, expected):
    assert cleaning.parse_date(text, order) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "11/24/2026", "next tuesday", "2026年13月1日"])
def test_bad_dates_are_refused(text):
    with pytest.raises(cleaning.CleanError):
        cleaning.parse_date(text, "dmy")


def test_choices_by_value_or_label_in_any_language(tenant):
    stage = field_map("contact")["lifecycle_stage"]
    tags = field_map("contact")["tags"]
    assert cleaning.clean(stage, "忠诚", CN) == "loyalty"
    assert cleaning.clean(stage, "Loyalty", CN) == "loyalty"
    assert cleaning.clean(stage, "流失風險", CN) == "at_risk"
    assert cleaning.clean(tags, "VIP，重點客戶、partner", CN) == ["vip", "key_account", "partner"]
    with pytest.raises(cleaning.CleanError):
        cleaning.clean(stage, "Unknown stage", CN)


def test_yes_and_no():
    assert cleaning.clean_boolean("是") is True and cleaning.clean_boolean("否") is False
    assert cleaning.clean_boolean("ＹＥＳ") is True
