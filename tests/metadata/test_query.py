"""The query builder on standard and custom fields: every operator of every kind, sorting, and
keyset paging; the same tests run on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import definitions
from saas.metadata.query import Filter, build_query, count, decode_cursor, page
from saas.modules.core import records
from saas.tenants.context import tenant_context

FIELDS = [
    ("nickname", "text", None), ("notes", "long_text", None), ("score", "number", None),
    ("budget", "currency", None), ("discount", "percent", None), ("birthday", "date", None),
    ("last_seen", "datetime", None), ("vip", "boolean", None), ("level", "single_select", "gold\nsilver\nbronze"),
    ("channels", "multi_select", "wechat\nphone\nemail"), ("work_email", "email", None),
    ("mobile", "phone", None), ("homepage", "url", None), ("referrer", "reference", None),
]

PEOPLE = [
    {"name": "张伟", "nickname": "Wei", "score": 10, "budget": "1000.50", "discount": 5, "birthday": "1990-03-01",
     "last_seen": "2026-01-05T10:00:00+08:00", "vip": True, "level": "gold", "channels": ["wechat", "phone"],
     "work_email": "wei@example.cn", "mobile": "13800138000", "homepage": "https://wei.example.cn",
     "notes": "Likes tea"},
    {"name": "Alice Smith", "nickname": "Al_%", "score": 20, "budget": "99.99", "discount": 12.5,
     "birthday": "1985-12-24", "last_seen": "2026-01-06T00:30:00Z", "vip": False, "level": "silver",
     "channels": ["email"], "work_email": "alice@example.com", "mobile": "+86 139 0000 1111"},
    {"name": "李娜", "score": 30, "birthday": "2000-01-01", "level": "bronze", "vip": False},
    {"name": "Bob Lee"},
]


@pytest.fixture
def people(app, two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        for key, type_, options in FIELDS:
            definitions.add_field("contact", labels={"en": key.title()}, key=key, type=type_, options=options,
                                  reference_object="company" if type_ == "reference" else None)
        db.session.commit()
        company = records.create_record("company", {"name": "Acme 公司"})
        ids = []
        for person in PEOPLE:
            data = dict(person)
            if person["name"] == "张伟":
                data["referrer"] = company.id
                data["company"] = company.id
            ids.append(records.create_record("contact", data, user_id=a.owner.id).id)
        db.session.commit()
        company_id = company.id
    with tenant_context(b.id):
        definitions.add_field("contact", labels={"en": "Score"}, key="score", type="text")
        records.create_record("contact", {"name": "张伟 of Beta", "score": "not a number"})
        db.session.commit()
    return a, dict(zip([p["name"] for p in PEOPLE], ids)), company_id


def names(filters, sort=None):
    q = build_query("contact", filters=[Filter(*f) for f in filters], sort=sort, fields=["name"])
    return [row["name"] for row in page(q, limit=100).rows]


CASES = [
    # text
    (("nickname", "eq", "Wei"), {"张伟"}),
    (("nickname", "ne", "Wei"), {"Alice Smith", "李娜", "Bob Lee"}),
    (("nickname", "contains", "l_%"), {"Alice Smith"}),           # % and _ are literal
    (("nickname", "contains", "wEi"), {"张伟"}),                    # case-insensitive
    (("nickname", "in", "Wei,Al_%"), {"张伟", "Alice Smith"}),
    (("nickname", "empty", None), {"李娜", "Bob Lee"}),
    (("nickname", "not_empty", None), {"张伟", "Alice Smith"}),
    (("notes", "contains", "tea"), {"张伟"}),
    (("name", "contains", "张"), {"张伟"}),
    (("name", "eq", "Bob Lee"), {"Bob Lee"}),
    (("work_email", "contains", "example.com"), {"Alice Smith"}),
    (("mobile", "contains", "138"), {"张伟"}),
    (("homepage", "not_empty", None), {"张伟"}),
    # numbers
    (("score", "eq", "20"), {"Alice Smith"}),
    (("score", "ne", 20), {"张伟", "李娜", "Bob Lee"}),
    (("score", "gt", "15"), {"Alice Smith", "李娜"}),
    (("score", "lt", 15), {"张伟"}),
    (("score", "between", ["10", "20"]), {"张伟", "Alice Smith"}),
    (("score", "between", "25,"), {"李娜"}),
    (("score", "empty", None), {"Bob Lee"}),
    (("budget", "gt", "100"), {"张伟"}),
    (("budget", "eq", "99.99"), {"Alice Smith"}),
    (("discount", "gt", 10), {"Alice Smith"}),
    # dates and times
    (("birthday", "before", "1990-01-01"), {"Alice Smith"}),
    (("birthday", "after", "1990-03-01"), {"李娜"}),
    (("birthday", "eq", "1990-03-01"), {"张伟"}),
    (("birthday", "between", ["1985-12-24", "1990-03-01"]), {"张伟", "Alice Smith"}),
    (("birthday", "empty", None), {"Bob Lee"}),
    (("last_seen", "before", "2026-01-06"), {"张伟"}),               # 10:00 +08:00 is 02:00 UTC
    (("last_seen", "after", "2026-01-05"), {"Alice Smith"}),
    (("last_seen", "between", ["2026-01-05", "2026-01-06"]), {"张伟", "Alice Smith"}),
    (("last_seen", "not_empty", None), {"张伟", "Alice Smith"}),
    (("created_at", "after", "2000-01-01"), {"张伟", "Alice Smith", "李娜", "Bob Lee"}),
    (("created_at", "before", "2000-01-01"), set()),
    # booleans
    (("vip", "eq", "true"), {"张伟"}),
    (("vip", "eq", False), {"Alice Smith", "李娜"}),
    (("vip", "empty", None), {"Bob Lee"}),
    # selects
    (("level", "eq", "gold"), {"张伟"}),
    (("level", "ne", "gold"), {"Alice Smith", "李娜", "Bob Lee"}),
    (("level", "in", ["gold", "bronze"]), {"张伟", "李娜"}),
    (("level", "empty", None), {"Bob Lee"}),
    (("channels", "contains", ["phone", "email"]), {"张伟", "Alice Smith"}),
    (("channels", "contains", "wechat"), {"张伟"}),
    (("channels", "empty", None), {"李娜", "Bob Lee"}),
    (("channels", "not_empty", None), {"张伟", "Alice Smith"}),
    (("tags", "empty", None), {"张伟", "Alice Smith", "李娜", "Bob Lee"}),
    # references
    (("referrer", "not_empty", None), {"张伟"}),
    (("company", "empty", None), {"Alice Smith", "李娜", "Bob Lee"}),
]


@pytest.mark.parametrize("flt, expected", CASES, ids=[f"{c[0][0]}-{c[0][1]}" for c in CASES])
def test_every_operator(people, flt, expected):
    a, _ids, _company = people
    with tenant_context(a.id):
        assert set(names([flt])) == expected


def test_references_by_id(people):
    a, _ids, company_id = people
    with tenant_context(a.id):
        assert names([("referrer", "eq", str(company_id))]) == ["张伟"]
        assert names([("company", "in", [company_id])]) == ["张伟"]


def test_filters_combine_and_stay_in_the_workspace(people):
    a, _ids, _company = people
    with tenant_context(a.id):
        assert names([("score", "gt", 5), ("level", "ne", "silver")], sort="score") == ["张伟", "李娜"]
        assert "张伟 of Beta" not in names([])


def test_sorting_puts_empty_values_last_ascending_and_first_descending(people):
    a, _ids, _company = people
    with tenant_context(a.id):
        assert names([], sort="score") == ["张伟", "Alice Smith", "李娜", "Bob Lee"]
        assert names([], sort="-score") == ["Bob Lee", "李娜", "Alice Smith", "张伟"]
        assert names([], sort="birthday") == ["Alice Smith", "张伟", "李娜", "Bob Lee"]
        assert names([], sort="name")[0] == "Alice Smith"


def test_selected_values_come_back_typed(people):
    a, ids, _company = people
    with tenant_context(a.id):
        q = build_query("contact", filters=[Filter("name", "eq", "张伟")],
                        fields=["name", "score", "birthday", "vip", "channels", "budget", "last_seen"])
        row = page(q).rows[0]
        assert row["id"] == ids["张伟"]
        assert row["score"] == 10 and row["vip"] is True and row["channels"] == ["wechat", "phone"]
        assert row["birthday"] == date(1990, 3, 1) and row["budget"] == 1000.5
        assert row["last_seen"].isoformat().startswith("2026-01-05T02:00:00")


@pytest.mark.parametrize("sort", [None, "id", "name", "-name", "score", "-score", "birthday", "-level", "created_at"])
def test_cursor_paging_visits_every_record_once(app, two_workspaces, sort):
    a, _b = two_workspaces
    with tenant_context(a.id):
        definitions.add_field("contact", labels={"en": "Score"}, key="score", type="number")
        definitions.add_field("contact", labels={"en": "Birthday"}, key="birthday", type="date")
        definitions.add_field("contact", labels={"en": "Level"}, key="level", type="single_select", options="a\nb")
        for i in range(37):
            data = {"name": f"P{i % 5}"}
            if i % 3:
                data["score"] = i % 7
            if i % 4:
                data["birthday"] = f"2000-01-{1 + i % 9:02d}"
            if i % 2:
                data["level"] = "ab"[i % 4 // 2]
            records.create_record("contact", data)
        db.session.commit()
        q = build_query("contact", sort=sort, fields=["name"])
        seen, cursor, pages = [], None, 0
        while True:
            result = page(q, limit=5, cursor=cursor)
            seen += [r["id"] for r in result.rows]
            pages += 1
            cursor = result.next_cursor
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 37 == count(q)
        # Counting up to a cap stops just past it: 10 means "more than 10".
        assert count(q, up_to=10) == 11 and count(q, up_to=37) == 37
        assert pages == 8
        assert seen == [r["id"] for r in page(q, limit=100).rows]


def test_bad_input_is_an_input_error(people):
    a, _ids, _company = people
    with tenant_context(a.id):
        with pytest.raises(InputError) as exc:
            build_query("contact", filters=[Filter("nope", "eq", "x")])
        assert "nope" in exc.value.fields
        with pytest.raises(InputError):
            build_query("contact", filters=[Filter("score", "contains", "x")])
        with pytest.raises(InputError):
            build_query("contact", filters=[Filter("score", "gt", "many")])
        with pytest.raises(InputError):
            build_query("contact", filters=[Filter("birthday", "before", "yesterday")])
        with pytest.raises(InputError):
            build_query("contact", sort="channels")
        with pytest.raises(InputError):
            decode_cursor("not-a-cursor")
