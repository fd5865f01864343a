"""An import writes a chunk at a time: duplicates within the file under each policy (in one chunk
and across chunks), references resolved per chunk, and what the other modules hear."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata import lifecycle as stages
from saas.metadata.definitions import add_field
from saas.modules.core.models import Company, Contact, FieldChange
from saas.modules.core.records import create_record
from saas.modules.imports import importer
from saas.modules.webhooks.models import WebhookDelivery
from saas.modules.webhooks.services import create_webhook
from tests.imports.helpers import start

FILE = ("Name,E-mail,Phone\n"
        "Ann,ann@example.com,\n"
        "Bob,bob@example.com,\n"
        "Ann again,ANN@example.com,13812345678\n"        # Ann's e-mail, another case
        "Cy,,\n"
        "Bob 2,bob@example.com,13900001111\n")


def _people() -> dict[str, Contact]:
    return {c.name: c for c in db.session.scalars(select(Contact).order_by(Contact.id))}


@pytest.fixture(params=[2, 1000], ids=["chunks of 2", "one chunk"])
def chunk_size(request, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_SIZE", request.param)
    return request.param


def test_skip_keeps_the_first_row_of_a_duplicate(tenant, chunk_size):
    run = start(FILE, match_on="email", on_duplicate="skip")
    assert (run.created_count, run.updated_count, run.skipped_count, run.failed_count) == (3, 0, 2, 0)
    assert set(_people()) == {"Ann", "Bob", "Cy"}


def test_update_fills_the_first_rows_record_in_file_order(tenant, chunk_size):
    run = start(FILE, match_on="email", on_duplicate="update")
    assert (run.created_count, run.updated_count, run.skipped_count, run.failed_count) == (3, 2, 0, 0)
    people = _people()
    assert set(people) == {"Ann again", "Bob 2", "Cy"}
    assert people["Ann again"].phone == "+8613812345678" and people["Ann again"].email == "ann@example.com"
    changes = db.session.scalars(select(FieldChange.field_key).where(
        FieldChange.record_id == people["Bob 2"].id, FieldChange.object_key == "contact"))
    assert set(changes) == {"__created__", "name", "phone"}


def test_create_writes_every_row(tenant, chunk_size):
    run = start(FILE, match_on="email", on_duplicate="create")
    assert (run.created_count, run.skipped_count) == (5, 0)


def test_a_refused_first_row_does_not_hold_back_its_duplicate(tenant, chunk_size):
    # The first Dee is refused (bad date); the second is then the first of its e-mail.
    add_field("contact", key="since", labels={"en": "Since"}, type="date")
    db.session.commit()
    text = "Name,E-mail,Since\nDee,dee@example.com,2025-02-30\nDee 2,dee@example.com,2025-02-03\n" \
           "Dee 3,dee@example.com,\n"
    run = start(text, columns=["name", "email", "since"], match_on="email", on_duplicate="update")
    assert (run.created_count, run.updated_count, run.failed_count) == (1, 1, 1)
    (dee,) = _people().values()
    assert (dee.name, dee.custom) == ("Dee 3", {"since": "2025-02-03"})


def test_existing_records_match_without_regard_to_case(tenant):
    create_record("contact", {"name": "Typed", "email": "Zhang.San@Example.com"})
    db.session.commit()
    run = start("Name,E-mail,Title\n,zhang.san@example.com,Buyer\n", match_on="email", on_duplicate="update")
    assert (run.created_count, run.updated_count) == (0, 1)
    (typed,) = _people().values()
    assert (typed.name, typed.title) == ("Typed", "Buyer")


def test_companies_are_found_or_made_once_and_only_for_written_rows(tenant, chunk_size):
    huawei = create_record("company", {"name": "华为"}).id
    db.session.commit()
    text = ("Name,E-mail,Company\n"
            "A,a@example.com,华为\n"
            "B,b@example.com,腾讯\n"
            "C,c@example.com,腾讯\n"
            "D,bad-address,阿里巴巴\n"                   # refused: its company is not made
            f"E,e@example.com,#{huawei}\n")              # by number
    run = start(text, match_on="email")
    assert (run.created_count, run.failed_count) == (4, 1)
    assert sorted(db.session.scalars(select(Company.name))) == sorted(["腾讯", "华为"])
    people = _people()
    assert people["B"].company_id == people["C"].company_id
    assert people["A"].company_id == people["E"].company_id == huawei
    (failure,) = importer.failures(run)
    assert failure.row_number == 5 and "e-mail" in failure.reason.lower()


def test_other_modules_hear_of_every_imported_record(tenant):
    create_webhook("https://receiver.example/hook", ["contact.created"])
    db.session.commit()
    run = start("Name,E-mail\nAnn,ann@example.com\nBob,bob@example.com\n", match_on="email")
    assert run.created_count == 2
    people = _people()
    # Webhooks: one event per new contact.
    events = [d.payload["data"] for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]
    assert [(e["id"], e["change"], e["after"]["name"]) for e in events] == [
        (people["Ann"].id, "created", "Ann"), (people["Bob"].id, "created", "Bob")]
    # Lifecycle: each new customer starts in the first stage, the move recorded.
    from saas.modules.lifecycle.models import LifecycleMove

    first = stages.stages()[0].key
    assert {c.lifecycle_stage for c in people.values()} == {first}
    moves = db.session.scalars(select(LifecycleMove.contact_id).where(LifecycleMove.to_stage == first))
    assert sorted(moves) == sorted(c.id for c in people.values())


def test_a_dry_run_writes_no_record_company_or_delivery(tenant):
    create_webhook("https://receiver.example/hook", ["contact.created"])
    db.session.commit()
    run = start("Name,E-mail,Company\nAnn,ann@example.com,Acme\n", match_on="email", dry_run=True)
    assert run.created_count == 1
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


def test_imported_orders_move_their_customers_by_the_rules(tenant):
    from saas.modules.lifecycle import actions
    from tests.lifecycle.helpers import rule, stage_of

    purchase = stages.stage_map()["purchase"]
    rule("Buyer", purchase, [{"type": "order_count", "compare": "at_least", "count": 1}])
    actions.add_action(purchase, "enter", "tag", {"tag": "vip"})
    ann = create_record("contact", {"name": "Ann"})
    bob = create_record("contact", {"name": "Bob"})
    db.session.commit()
    text = f"Order number,Customer,Order date,Amount\nSO-1,#{ann.id},2026-01-05,99\nSO-2,#{ann.id},2026-01-06,10\n"
    run = start(text, columns=["number", "contact", "ordered_on", "amount"], object_key="order", name="orders.csv")
    assert (run.created_count, run.failed_count) == (2, 0)
    assert stage_of(ann.id) == "purchase" and stage_of(bob.id) != "purchase"
    # The stage's action ran for the move.
    assert "vip" in db.session.get(Contact, ann.id).tags


def test_the_plan_limit_is_counted_once_and_filled_across_chunks(tenant, chunk_size, monkeypatch):
    from saas.modules.billing import limits, plans

    free = plans.PLANS["free"]
    monkeypatch.setitem(plans.PLANS, "free", free.__class__(**{**free.__dict__, "limits": free.limits.__class__(
        **{**free.limits.__dict__, "records": 3})}))
    create_record("company", {"name": "Acme"})
    db.session.commit()
    counted = []
    count = limits._count
    monkeypatch.setattr(limits, "_count", lambda *args: counted.append(args) or count(*args))
    run = start(FILE, match_on="email", on_duplicate="create")
    # Acme and two people fill the three records; the other rows are refused with the plan's message.
    assert (run.created_count, run.failed_count) == (2, 3)
    assert "3 records" in importer.failures(run)[0].reason
    assert set(_people()) == {"Ann", "Bob"}
    assert len(counted) == 1
