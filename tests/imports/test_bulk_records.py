"""The core's bulk record services (what an import writes each chunk with): the same validation
messages, history, plan limit, references, unique values and hooks as one record at a time."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from saas import create_app
from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import add_field
from saas.metadata.schemas import load_values
from saas.modules.apps.services import enable
from saas.modules.billing.accounts import set_plan
from saas.modules.core.bulk import create_records, update_records
from saas.modules.core.loading import RowLoader
from saas.modules.core.models import Company, Contact, FieldChange
from saas.modules.core.records import CREATED, create_record, record_json
from tests import conftest as root
from tests.conftest import ON_POSTGRES
from tests.imports import batch_listener, record_listener


@pytest.fixture
def app(database):
    """The app with the two listening plugins installed."""
    app = create_app({**root._base_config(database["app_url"], database["owner_url"]),
                      "PLUGIN_MODULES": ["tests.imports.batch_listener", "tests.imports.record_listener"]})
    batch_listener.CALLS.clear()
    record_listener.CALLS.clear()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def fields(tenant):
    add_field("contact", key="vip_level", labels={"en": "VIP level"}, type="number")
    add_field("contact", key="since", labels={"en": "Since"}, type="date")
    add_field("contact", key="tier", labels={"en": "Tier"}, type="single_select", options=["gold", "silver"])
    add_field("contact", key="site", labels={"en": "Site"}, type="url")
    add_field("contact", key="member_no", labels={"en": "Member no"}, type="text", unique=True)
    add_field("contact", key="topics", labels={"en": "Topics"}, type="multi_select", options=["tea", "wine"])
    db.session.commit()


def _refusal(object_key: str, data: dict) -> InputError | None:
    """What create_record says about `data` (nothing is kept)."""
    savepoint = db.session.begin_nested()
    try:
        create_record(object_key, data)
    except InputError as exc:
        return exc
    finally:
        savepoint.rollback()
    return None


ROWS = [
    {"name": "Ada", "email": "ada@example.com", "vip_level": "3", "since": "2024-02-29", "tier": "gold"},
    {"name": "", "email": "bad address"},
    {"name": "Bob", "vip_level": "lots", "since": "2024-02-30", "tier": "bronze"},
    {"name": "Cy", "site": "not a url", "topics": ["tea", "beer"]},
    {"name": "Di", "nope": 1},
    {"name": "x" * 501},
    {"name": "Ed", "vip_level": "1e16"},
    {"name": "Flo", "phone": "+86 138-1234-5678", "topics": None, "since": None, "vip_level": 2.5},
    {"name": "   ", "email": "  "},
    {"name": "Gus", "tier": None, "site": "https://example.com/a"},
]


def test_the_row_loader_gives_what_the_schema_gives(fields):
    loader = RowLoader("contact")
    partial = RowLoader("contact", partial=True)
    for data in ROWS + [{}, {"email": "only@example.com"}]:
        for fast, partial_load in ((loader, False), (partial, True)):
            try:
                expected = load_values("contact", dict(data), partial=partial_load)
            except InputError as exc:
                with pytest.raises(InputError) as raised:
                    fast.load(dict(data))
                assert (raised.value.fields, raised.value.message) == (exc.fields, exc.message), data
            else:
                assert fast.load(dict(data)) == expected, data


def test_refused_rows_get_create_records_messages_and_the_rest_are_created(fields, tenant):
    expected = [_refusal("contact", dict(data)) for data in ROWS]
    outcomes = create_records("contact", [dict(data) for data in ROWS], tenant.owner.id)
    assert len(outcomes) == len(ROWS)
    for data, outcome, refusal in zip(ROWS, outcomes, expected):
        if refusal is None:
            assert isinstance(outcome, int), (data, outcome)
        else:
            assert isinstance(outcome, InputError), data
            assert (outcome.fields, outcome.message) == (refusal.fields, refusal.message), data
    db.session.commit()
    created = {c.name: c for c in db.session.scalars(select(Contact))}
    assert set(created) == {"Ada", "Flo", "Gus"}
    ada = created["Ada"]
    assert ada.custom == {"vip_level": 3.0, "since": "2024-02-29", "tier": "gold"}
    assert ada.owner_id == tenant.owner.id and ada.tags == []
    assert created["Flo"].custom == {"vip_level": 2.5}
    # Each new record has its "created" history entry, by the user.
    history = db.session.execute(select(FieldChange.record_id, FieldChange.user_id)
                                 .where(FieldChange.field_key == CREATED)).all()
    assert sorted(history) == sorted((c.id, tenant.owner.id) for c in created.values())


def test_unique_values_are_refused_against_the_workspace_and_within_the_batch(fields, tenant):
    create_record("contact", {"name": "Old", "member_no": "M-1"})
    db.session.commit()
    outcomes = create_records("contact", [
        {"name": "A", "member_no": "M-1"},          # taken by Old
        {"name": "B", "member_no": "M-2"},
        {"name": "C", "member_no": "M-2"},          # taken by B, earlier in the batch
        {"name": "D", "member_no": "M-3", "vip_level": "x"},   # refused: does not claim M-3
        {"name": "E", "member_no": "M-3"},
    ])
    message = "Another record has this value already; it must be unique."
    assert outcomes[0].fields == {"member_no": message}
    assert isinstance(outcomes[1], int)
    assert outcomes[2].fields == {"member_no": message}
    assert "vip_level" in outcomes[3].fields
    assert isinstance(outcomes[4], int)
    db.session.commit()
    assert sorted(db.session.scalars(select(Contact.name))) == ["B", "E", "Old"]


def test_references_must_exist_in_the_workspace(tenant, two_workspaces):
    _a, other = two_workspaces
    acme = create_record("company", {"name": "Acme"})
    db.session.commit()
    from saas.tenants.context import tenant_context

    with tenant_context(other.id):
        theirs = create_record("company", {"name": "Theirs"}).id
        db.session.commit()
    outcomes = create_records("contact", [
        {"name": "Here", "company": acme.id},
        {"name": "There", "company": theirs},
        {"name": "Nobody", "owner": 999999},
    ])
    assert isinstance(outcomes[0], int)
    assert outcomes[1].fields == {"company": "There is no such record."}
    assert outcomes[2].fields == {"owner": "Choose a member of this workspace."}


def test_the_plan_limit_is_filled_up_and_the_rest_refused(tenant, monkeypatch):
    from saas.modules.billing import plans

    free = plans.PLANS["free"]
    monkeypatch.setitem(plans.PLANS, "free", free.__class__(**{**free.__dict__, "limits": free.limits.__class__(
        **{**free.limits.__dict__, "records": 3})}))
    create_record("company", {"name": "Acme"})
    outcomes = create_records("contact", [{"name": f"P{i}"} for i in range(4)])
    assert [isinstance(o, int) for o in outcomes] == [True, True, False, False]
    assert outcomes[2].code == "plan_limit" and "3 records" in outcomes[2].message
    db.session.commit()
    assert db.session.scalar(select(func.count(Contact.id))) == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite does not enforce VARCHAR lengths")
def test_a_batch_the_database_refuses_is_written_row_by_row(tenant):
    # Text fields take 500 characters; the name column 200: only the database refuses this one.
    outcomes = create_records("contact", [{"name": "Ann"}, {"name": "n" * 300}, {"name": "Ben"}])
    assert isinstance(outcomes[0], int) and isinstance(outcomes[2], int)
    assert outcomes[1].code == "refused"
    db.session.commit()
    assert sorted(db.session.scalars(select(Contact.name))) == ["Ann", "Ben"]


def test_plugins_hear_of_the_batch_once_or_of_each_record(fields, tenant):
    set_plan(tenant.workspace, "pro")
    enable(tenant.workspace, "batch_listener")
    enable(tenant.workspace, "record_listener")
    db.session.commit()
    acme = create_record("company", {"name": "Acme"})
    batch_listener.CALLS.clear()
    record_listener.CALLS.clear()
    outcomes = create_records("contact", [
        {"name": "Ada", "email": "ada@example.com", "company": acme.id, "since": "2025-01-02", "tier": "gold"},
        {"name": "", "email": "refused@example.com"},
        {"name": "Bob", "tags": ["vip"], "vip_level": 7},
    ], tenant.owner.id)
    ids = [o for o in outcomes if isinstance(o, int)]
    assert len(ids) == 2
    (call,) = batch_listener.CALLS
    assert call[:2] == ("records_created", "contact")
    # Each record as record_json gives it. On PostgreSQL the lifecycle module gave the new records
    # their stage before they were written (records_creating); elsewhere it gives it after, in the
    # same hook call, so the records were announced without one.
    stored = [record_json("contact", db.session.get(Contact, i)) for i in ids]
    decided_before = db.engine.dialect.name == "postgresql"
    expected = stored if decided_before else [{**record, "lifecycle_stage": None} for record in stored]
    assert all(record["lifecycle_stage"] for record in stored)
    assert call[2] == expected
    # record_changed is not called for a plugin that hears the batch ...
    assert not [c for c in batch_listener.CALLS if c[0] == "record_changed"]
    # ... and once per new record for one that does not.
    assert record_listener.CALLS == [("contact", i, "created", None, json) for i, json in zip(ids, expected)]


def test_update_records_writes_history_and_tells_the_plugins(fields, tenant):
    enable(tenant.workspace, "record_listener")
    a = create_record("contact", {"name": "Ada", "member_no": "M-1"})
    b = create_record("contact", {"name": "Bob"})
    db.session.commit()
    record_listener.CALLS.clear()
    outcomes = update_records("contact", [
        (a.id, {"title": "Buyer"}),
        (b.id, {"member_no": "M-1"}),               # Ada's
        (b.id, {"since": "2025-13-01"}),
        (999999, {"title": "Nobody"}),
        (b.id, {"name": "Bob"}),                    # nothing changes
    ], tenant.owner.id)
    assert outcomes[0] is True
    assert outcomes[1].fields == {"member_no": "Another record has this value already; it must be unique."}
    assert "since" in outcomes[2].fields
    assert outcomes[3].status == 404
    assert outcomes[4] is False
    db.session.commit()
    change = db.session.scalar(select(FieldChange).where(FieldChange.field_key == "title"))
    assert (change.record_id, change.new_value, change.user_id) == (a.id, "Buyer", tenant.owner.id)
    assert [(c[0], c[1], c[2]) for c in record_listener.CALLS] == [("contact", a.id, "updated")]


def test_companies_and_dates_go_through_the_same_path(tenant):
    outcomes = create_records("company", [{"name": "Acme", "industry": "retail", "tags": ["vip", "vip"]}])
    db.session.commit()
    company = db.session.get(Company, outcomes[0])
    assert (company.name, company.industry, company.tags) == ("Acme", "retail", ["vip", "vip"])
    ada = create_record("contact", {"name": "Ada"})
    order, again = create_records("order", [
        {"number": "SO-1", "contact": ada.id, "ordered_on": "2026-01-05", "amount": "12.50"},
        {"number": "SO-1", "contact": ada.id, "ordered_on": "2026-01-06", "amount": "3"},   # number is unique
    ])
    assert again.fields == {"number": "Another record has this value already; it must be unique."}
    db.session.commit()
    from saas.modules.core.models import Order

    saved = db.session.get(Order, order)
    assert (saved.ordered_on, str(saved.amount), saved.currency, saved.status) == (
        date(2026, 1, 5), "12.50", "CNY", "paid")
