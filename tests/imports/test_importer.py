"""Running imports: counts, duplicate policies, dry runs, refused rows, kill and retry."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata.definitions import add_field
from saas.modules.core.models import Company, Contact, FieldChange
from saas.modules.imports import importer
from saas.modules.imports.models import ImportFailure
from tests.imports.helpers import start

PEOPLE = (
    "姓名,手机,邮箱,公司,生日\n"
    "张三,１３８１２３４５６７８,ZHANG@example.com,华为,1990-05-01\n"
    "李四,13900001111,li@example.com,华为,1988/2/30\n"          # bad date
    "王五,not a phone,wang@example.com,,\n"                     # bad phone
    ",13700001111,nobody@example.com,,\n"                       # no name (required)
    "赵六,13600001111,zhao@example.com,腾讯,1992年3月4日\n"
    "张三,13812345678,zhang@example.com,华为,\n"                # duplicate of row 2
)


def _contacts() -> list[Contact]:
    return list(db.session.scalars(select(Contact).order_by(Contact.id)))


@pytest.fixture
def birthday(tenant):
    add_field("contact", labels={"en": "Birthday", "zh_Hans": "生日", "zh_Hant": "生日"}, type="date")
    db.session.commit()


def test_an_import_cleans_writes_and_reports_each_row(tenant, birthday):
    run = start(PEOPLE, match_on="email")
    assert run.status == "done"
    assert (run.created_count, run.updated_count, run.skipped_count, run.failed_count) == (2, 0, 1, 3)
    assert run.processed_rows == run.total_rows == 6
    people = {c.email: c for c in _contacts()}
    zhang = people["zhang@example.com"]
    assert zhang.phone == "+8613812345678"
    assert zhang.custom == {"birthday": "1990-05-01"}
    assert people["zhao@example.com"].custom == {"birthday": "1992-03-04"}
    # The company column found or created the company, once.
    assert db.session.scalar(select(func.count()).select_from(Company).where(Company.name == "华为")) == 1
    assert zhang.company_id is not None
    reasons = {f.row_number: f.reason for f in importer.failures(run)}
    assert set(reasons) == {3, 4, 5}
    assert "生日" in reasons[3] or "Birthday" in reasons[3]
    assert "not a phone number" in reasons[4]
    assert "required" in reasons[5]


def test_the_failed_rows_csv_has_the_reason_per_row(tenant, birthday):
    run = start(PEOPLE, match_on="email")
    text = "".join(importer.failures_csv(run))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Row", "Reason"] and rows[0][2:] == ["姓名", "手机", "邮箱", "公司", "生日"]
    assert [r[0] for r in rows[1:]] == ["3", "4", "5"]
    assert rows[2][2:4] == ["王五", "not a phone"]


def test_update_policy_fills_in_existing_records(tenant):
    db.session.add(Contact(name="Zhang San", email="zhang@example.com", phone=None, custom={}))
    db.session.commit()
    run = start("Name,E-mail,Phone\n,ZHANG@EXAMPLE.COM,13812345678\n", match_on="email", on_duplicate="update")
    # The empty Name cell leaves the name alone: the row updates, it does not fail.
    assert (run.created_count, run.updated_count, run.failed_count) == (0, 1, 0)
    (zhang,) = _contacts()
    assert zhang.name == "Zhang San" and zhang.phone == "+8613812345678"
    change = db.session.scalar(select(FieldChange).where(FieldChange.field_key == "phone"))
    assert change.new_value == "+8613812345678"


def test_skip_and_create_policies_match_on_phone(tenant):
    db.session.add(Contact(name="Li Si", phone="+8613900001111", custom={}))
    db.session.commit()
    run = start("Name,Phone\nLi Si,139 0000 1111\n", match_on="phone", on_duplicate="skip")
    assert (run.created_count, run.skipped_count) == (0, 1)
    run = start("Name,Phone\nLi Si,139 0000 1111\n", match_on="phone", on_duplicate="create")
    assert run.created_count == 1
    assert len(_contacts()) == 2


def test_match_on_a_unique_custom_field(tenant):
    add_field("contact", labels={"en": "Member number", "zh_Hans": "会员号"}, type="text", unique=True)
    db.session.commit()
    run = start("Name,会员号\nA,M-1\nB,M-2\nA again,M-1\n", match_on="member_number", on_duplicate="update")
    assert (run.created_count, run.updated_count) == (2, 1)
    names = sorted(c.name for c in _contacts())
    assert names == ["A again", "B"]


def test_a_dry_run_reports_and_writes_nothing(tenant, birthday):
    run = start(PEOPLE, match_on="email", dry_run=True)
    assert run.status == "done" and run.dry_run
    assert (run.created_count, run.skipped_count, run.failed_count) == (2, 1, 3)
    assert _contacts() == []
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0
    assert db.session.scalar(select(func.count()).select_from(FieldChange)) == 0
    assert len(importer.failures(run)) == 3


def test_ragged_rows_are_refused_with_a_reason(tenant):
    run = start("Name,E-mail\nA,a@example.com\nB,b@example.com,extra,cells\nC\n")
    assert (run.created_count, run.failed_count) == (2, 1)
    (failure,) = importer.failures(run)
    assert failure.row_number == 3 and "4 cells" in failure.reason


def test_killed_in_the_middle_and_retried_creates_no_duplicate_and_loses_no_row(tenant, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_SIZE", 5)
    lines = ["Name,E-mail"] + [f"Person {i},p{i}@example.com" for i in range(1, 13)]
    original = importer.create_records
    calls = {"n": 0}

    def dies_after_writing_the_second_chunk(*args, **kwargs):
        calls["n"] += 1
        outcomes = original(*args, **kwargs)
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        return outcomes

    monkeypatch.setattr(importer, "create_records", dies_after_writing_the_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        start("\n".join(lines) + "\n", match_on=None, on_duplicate="create")
    db.session.expire_all()
    # The first chunk is in; the second, written when the worker died, was rolled back whole.
    assert len(_contacts()) == 5
    run_id = db.session.scalar(select(importer.ImportRun.id))
    run = importer.get_run(run_id)
    assert run.status == "interrupted" and run.processed_rows == 5

    monkeypatch.setattr(importer, "create_records", original)
    run = importer.run_import(run_id)
    assert run.status == "done" and run.created_count == 12 and run.processed_rows == 12
    emails = [c.email for c in _contacts()]
    assert sorted(emails) == sorted(f"p{i}@example.com" for i in range(1, 13))
    # Running a finished import again changes nothing.
    importer.run_import(run_id)
    assert len(_contacts()) == 12


def test_a_file_broken_halfway_leaves_no_half_chunk(tenant, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_SIZE", 100)
    good = "".join(f"Person {i},p{i}@example.com\n" for i in range(1, 700)).encode("utf-8")
    data = "Name,E-mail\n".encode() + good + b"Bad \xff\xfe name,bad@example.com\n"
    run = start(data, encoding="utf-8")
    assert run.status == "failed" and "UTF-8" in run.message
    # The counting pass reads the whole file before the first chunk: nothing at all is written.
    assert run.processed_rows == 0 and _contacts() == []
    assert db.session.scalar(select(func.count()).select_from(ImportFailure)) == 0
