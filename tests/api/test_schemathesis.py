"""schemathesis against the workspace's own /api/v1/openapi.json, through the WSGI app: for each
operation, generated valid and invalid requests; no 5xx, and every response fits the document.
Bounded (a few examples per operation and mode) so the suite stays fast."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from saas.extensions import db
from saas.metadata import definitions
from saas.tenants.context import tenant_context
from tests.api.conftest import token_for

MAX_EXAMPLES = 4
CHECKS = [not_a_server_error, response_schema_conformance]


def test_the_api_keeps_to_its_openapi_document(app, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        # Custom fields of several types, so their generated schemas are exercised too.
        definitions.add_field("contact", labels={"en": "VIP level"}, type="number", key="vip_level")
        definitions.add_field("contact", labels={"en": "Channels"}, type="multi_select", key="channels",
                              options=["web", "shop"])
        definitions.add_field("contact", labels={"en": "First order"}, type="date", key="first_order")
        definitions.add_field("order", labels={"en": "ERP id"}, type="text", key="erp_id", unique=True)
        db.session.commit()
    headers = {"Authorization": f"Bearer {token_for(a)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    tried = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def check(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            check()
            tried += 1
    assert tried == 2 * len(operations)
