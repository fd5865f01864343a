"""Exports: the list's filters and columns, CSV and XLSX, formula escaping, large exports as a job."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from saas.extensions import db
from saas.modules.core.models import Company, Contact
from saas.modules.imports import exports
from saas.modules.imports.exports import escape_cell
from saas.tenants.context import tenant_context
from tests.conftest import login
from tests.imports.helpers import work_off_jobs


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+86 138", "'+86 138"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("Zhang San", "Zhang San"),
    ("", ""),
    (-5, -5),
    (3.5, 3.5),
])
def test_formula_escaping(value, expected):
    assert escape_cell(value) == expected


@pytest.fixture
def people(tenant):
    acme = Company(name="=Acme", custom={}, tags=[])
    db.session.add(acme)
    db.session.flush()
    db.session.add_all([
        Contact(name="张三", email="zhang@example.com", phone="+8613812345678", company_id=acme.id,
                lifecycle_stage="loyalty", tags=["vip"], custom={}),
        Contact(name="@Li Si", email="li@example.com", lifecycle_stage="purchase", tags=[], custom={}),
        Contact(name="Wang Wu", email="wang@example.com", lifecycle_stage="loyalty", tags=[], custom={}),
    ])
    db.session.commit()
    return acme


def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_keeps_filters_columns_and_sort(people):
    job = exports.Export("contact", ["name", "company", "phone", "lifecycle_stage", "tags"],
                         ["lifecycle_stage:eq:loyalty"], "name")
    rows = _csv("".join(exports.csv_chunks(job)))
    assert rows[0] == ["Name", "Company", "Phone", "Lifecycle stage", "Tags"]
    assert rows[1:] == [["Wang Wu", "", "", "Loyalty", ""],
                        ["张三", "'=Acme", "'+8613812345678", "Loyalty", "VIP"]]


def test_xlsx_export_escapes_formulas(people, tmp_path):
    job = exports.Export("contact", ["name", "email"], [], "name")
    path = tmp_path / "out.xlsx"
    assert exports.write_xlsx(job, path) == 3
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Name", "E-mail"]
    assert ["'@Li Si", "li@example.com"] in values


def test_export_routes_stream_small_exports(client, people, tenant):
    login(client, tenant.owner.email)
    response = client.get(f"/w/{tenant.slug}/data/exports/contact.csv?columns=name,email&sort=name"
                          f"&filter=email:contains:example")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response.get_data(as_text=True))
    assert [r[0] for r in rows[1:]] == ["'@Li Si", "Wang Wu", "张三"]
    response = client.get(f"/w/{tenant.slug}/data/exports/contact.xlsx?columns=name")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 4
    assert client.get(f"/w/{tenant.slug}/data/exports/contact.csv?filter=nope:eq:1").status_code == 400
    assert client.get(f"/w/{tenant.slug}/data/exports/unicorn.csv").status_code == 404


def test_large_exports_run_as_a_job_with_a_download_link(app, client, people, tenant):
    app.config["EXPORT_INLINE_ROWS"] = 2
    tenant_id = tenant.id  # a job run by rq here ends with its session removed: keep plain values
    login(client, tenant.owner.email)
    response = client.get(f"/w/{tenant.slug}/data/exports/contact.csv?columns=name,email&sort=name")
    assert response.status_code == 302
    status_url = response.headers["Location"]
    work_off_jobs()
    page = client.get(status_url, headers={"HX-Request": "true"})
    assert page.status_code == 200 and b"export-download" in page.data
    with tenant_context(tenant_id):
        run = exports.get_export(int(status_url.rstrip("/").rsplit("/", 1)[-1]))
        assert run.status == "done" and run.done_rows == 3
    download = client.get(f"{status_url}/download")
    assert download.status_code == 200
    rows = _csv(download.get_data(as_text=True))
    assert len(rows) == 4 and rows[1][0] == "'@Li Si"


def test_export_files_are_served_only_to_their_workspace(app, client, people, tenant):
    from tests import factories

    app.config["EXPORT_INLINE_ROWS"] = 0
    other = factories.workspace_with_owner("Beta Foods", "owner@beta.example")
    other_slug, other_email = other.slug, other.owner.email
    login(client, tenant.owner.email)
    status_url = client.get(f"/w/{tenant.slug}/data/exports/contact.csv").headers["Location"]
    work_off_jobs()
    client.post("/logout")
    login(client, other_email)
    assert client.get(f"{status_url}/download").status_code == 404
    export_id = status_url.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(f"/w/{other_slug}/data/exports/{export_id}/download").status_code == 404
