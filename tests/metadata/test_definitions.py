"""Field definitions, the metadata version, and the schemas generated from them."""
from __future__ import annotations

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import definitions
from saas.metadata.schemas import load_values, schema_for
from saas.modules.core import records
from saas.tenants.context import tenant_context


def test_a_new_workspace_has_the_standard_objects_and_fields(app, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        contact = definitions.field_map("contact")
        assert {"name", "email", "phone", "company", "owner", "tags", "lifecycle_stage"} <= set(contact)
        assert all(f.is_system for f in contact.values())
        assert contact["company"].reference_object == "company"
        assert "amount" in definitions.field_map("order") and "done" in definitions.field_map("activity")


def test_every_change_bumps_the_version_and_renews_the_schema(app, two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        before = definitions.metadata_version()
        schema = schema_for("contact")
        assert schema_for("contact") is schema
        row = definitions.add_field("contact", labels={"en": "Shoe size", "zh_Hans": "鞋码"}, type="number")
        assert row.key == "shoe_size"
        assert definitions.metadata_version() == before + 1
        assert schema_for("contact") is not schema and "shoe_size" in schema_for("contact").fields
        definitions.update_field(row, labels={"en": "Shoe size (EU)"})
        assert definitions.metadata_version() == before + 2
        db.session.commit()
    with tenant_context(b.id):
        assert "shoe_size" not in definitions.field_map("contact")


@pytest.mark.parametrize("kwargs, field", [
    ({"labels": {"en": ""}, "type": "text"}, "label_en"),
    ({"labels": {"en": "Name"}, "type": "text"}, "key"),                 # shadows a standard field
    ({"labels": {"en": "X"}, "type": "text", "key": "1abc"}, "key"),
    ({"labels": {"en": "X"}, "type": "text", "key": "a'b"}, "key"),
    ({"labels": {"en": "X"}, "type": "text", "key": "custom"}, "key"),
    ({"labels": {"en": "X"}, "type": "spreadsheet"}, "type"),
    ({"labels": {"en": "Level"}, "type": "single_select", "options": ""}, "options"),
    ({"labels": {"en": "Ref"}, "type": "reference", "reference_object": "planet"}, "reference_object"),
    ({"labels": {"en": "Size"}, "type": "number", "default": "big"}, "default"),
    ({"labels": {"zh_Hans": "等级"}, "type": "text"}, "key"),            # no ASCII to derive a key from
])
def test_bad_field_definitions_are_refused(app, two_workspaces, kwargs, field):
    a, _b = two_workspaces
    with tenant_context(a.id):
        with pytest.raises(InputError) as exc:
            definitions.add_field("contact", **kwargs)
        assert field in exc.value.fields


def test_a_key_is_unique_per_object(app, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        definitions.add_field("contact", labels={"en": "Level"}, type="text")
        with pytest.raises(InputError):
            definitions.add_field("contact", labels={"en": "Level"}, type="number")
        definitions.add_field("company", labels={"en": "Level"}, type="number")


def _custom(a):
    definitions.add_field("contact", labels={"en": "Size"}, key="size", type="number", required=True)
    definitions.add_field("contact", labels={"en": "Level"}, key="level", type="single_select", options="gold\nsilver")
    definitions.add_field("contact", labels={"en": "Since"}, key="since", type="date")
    definitions.add_field("contact", labels={"en": "Site"}, key="site", type="url")
    definitions.add_field("contact", labels={"en": "Code"}, key="code", type="text", unique=True)
    definitions.add_field("contact", labels={"en": "Tier"}, key="tier", type="single_select",
                          options="basic\npro", default="basic")


@pytest.mark.parametrize("data, field", [
    ({"name": "A"}, "size"),
    ({"name": "A", "size": "big"}, "size"),
    ({"name": "A", "size": 10 ** 16}, "size"),
    ({"name": "A", "size": 1, "level": "platinum"}, "level"),
    ({"name": "A", "size": 1, "since": "2026-02-30"}, "since"),
    ({"name": "A", "size": 1, "site": "not a url"}, "site"),
    ({"name": "A", "size": 1, "email": "nobody"}, "email"),
    ({"name": "A", "size": 1, "phone": "call me"}, "phone"),
    ({"name": "A", "size": 1, "tags": ["not-an-option"]}, "tags"),
    ({"name": "A", "size": 1, "planet": "Mars"}, "planet"),
    ({"size": 1}, "name"),
    ({"name": "A", "size": 1, "created_at": "2026-01-01"}, "created_at"),  # not editable
])
def test_schema_errors_name_the_field(app, two_workspaces, data, field):
    a, _b = two_workspaces
    with tenant_context(a.id):
        _custom(a)
        with pytest.raises(InputError) as exc:
            load_values("contact", data)
        assert field in exc.value.fields and exc.value.fields[field]


def test_records_store_typed_values_defaults_and_check_unique_and_references(app, two_workspaces):
    a, b = two_workspaces
    with tenant_context(b.id):
        other_company = records.create_record("company", {"name": "Beta Co"})
        db.session.commit()
        other_company_id = other_company.id
    with tenant_context(a.id):
        _custom(a)
        contact = records.create_record("contact", {"name": "王磊", "size": "42", "since": "2024-05-01",
                                                     "code": "X1"}, user_id=a.owner.id)
        assert contact.custom == {"size": 42.0, "since": "2024-05-01", "code": "X1", "tier": "basic"}
        assert contact.owner_id == a.owner.id
        with pytest.raises(InputError) as exc:
            records.create_record("contact", {"name": "Dup", "size": 1, "code": "X1"})
        assert "code" in exc.value.fields
        with pytest.raises(InputError) as exc:
            records.create_record("contact", {"name": "Far", "size": 1, "company": other_company_id})
        assert "company" in exc.value.fields
        with pytest.raises(InputError) as exc:
            records.create_record("contact", {"name": "Far", "size": 1, "owner": b.owner.id})
        assert "owner" in exc.value.fields
        changes = records.update_record("contact", contact, {"size": 43, "since": None}, user_id=a.owner.id)
        assert {(c.field_key, c.old_value, c.new_value) for c in changes} == {("size", 42, 43), ("since", "2024-05-01", None)}
        assert "since" not in contact.custom
        db.session.commit()
        assert [c.field_key for c in records.history("contact", contact.id)][-1] == records.CREATED
