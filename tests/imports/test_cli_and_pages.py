"""`saas import` and the browser's upload -> mapping -> progress -> result."""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from saas.extensions import db
from saas.modules.core.models import Contact
from saas.modules.imports.models import ImportRun
from saas.tenants.context import tenant_context
from tests import factories
from tests.conftest import login
from tests.imports.helpers import work_off_jobs

GBK_PEOPLE = "姓名,手机,邮箱,备注\n张三,１３８１２３４５６７８,Zhang@Example.com,老客户\n李四,bad,li@example.com,\n"


def _names(tenant) -> list[str]:
    tenant_id = tenant if isinstance(tenant, int) else tenant.id
    with tenant_context(tenant_id):
        return sorted(db.session.scalars(select(Contact.name)))


def test_cli_import_with_the_suggested_mapping(app, runner, tmp_path):
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    path = tmp_path / "people.csv"
    path.write_bytes(GBK_PEOPLE.encode("gbk"))
    result = runner.invoke(args=["import", str(path), "--workspace", t.slug, "--object", "contacts",
                                 "--match", "email", "--on-duplicate", "update"])
    assert result.exit_code == 0, result.output
    assert "姓名 -> name" in result.output and "备注 -> (not imported)" in result.output
    assert "1 created, 0 updated, 0 skipped, 1 failed." in result.output
    failed_path = result.output.strip().rsplit(": ", 1)[-1]
    rows = list(csv.reader(open(failed_path, encoding="utf-8-sig")))
    assert rows[1][0] == "3" and "not a phone number" in rows[1][1]
    assert _names(t) == ["张三"]
    # The same file again: the duplicate is updated, not created twice.
    result = runner.invoke(args=["import", str(path), "--workspace", t.slug, "--match", "email",
                                 "--on-duplicate", "update"])
    assert "0 created, 1 updated, 0 skipped, 1 failed." in result.output
    assert _names(t) == ["张三"]


def test_cli_with_a_mapping_file_and_dry_run(app, runner, tmp_path):
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    path = tmp_path / "people.csv"
    path.write_text("Who,Mail\nAda,ada@example.com\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Who": "name", "Mail": "email"}))
    result = runner.invoke(args=["import", str(path), "--workspace", t.slug, "--mapping", str(mapping), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would have: 1 created" in result.output
    assert _names(t) == []


def test_cli_exits_non_zero_on_unreadable_files_and_bad_mappings(app, runner, tmp_path):
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    result = runner.invoke(args=["import", str(tmp_path / "missing.csv"), "--workspace", t.slug])
    assert result.exit_code != 0 and "Cannot read" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["import", str(empty), "--workspace", t.slug])
    assert result.exit_code != 0 and "empty" in result.output
    path = tmp_path / "people.csv"
    path.write_text("Who,Mail\nAda,ada@example.com\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Mail": "email"}))
    result = runner.invoke(args=["import", str(path), "--workspace", t.slug, "--mapping", str(mapping)])
    assert result.exit_code != 0 and "required" in result.output
    mapping.write_text(json.dumps({"Nope": "name"}))
    result = runner.invoke(args=["import", str(path), "--workspace", t.slug, "--mapping", str(mapping)])
    assert result.exit_code != 0 and "Nope" in result.output
    result = runner.invoke(args=["import", str(path), "--workspace", "nowhere"])
    assert result.exit_code != 0
    assert _names(t) == []


def test_upload_map_progress_and_result_in_the_browser(app, client):
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    tenant_id = t.id  # a job run by rq here ends with its session removed: keep plain values
    login(client, t.owner.email)
    base = f"/w/{t.slug}/data/imports/"
    assert client.get(base).status_code == 200
    response = client.post(base, data={"object_key": "contact", "encoding": "",
                                       "file": (io.BytesIO(GBK_PEOPLE.encode("gbk")), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.data
    mapping_url = response.headers["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200 and "张三".encode() in page.data
    assert b'value="phone" selected' in page.data
    # A required field left unmapped: the error is shown, nothing runs.
    response = client.post(mapping_url, data={"column_1": "phone", "column_2": "email", "on_duplicate": "skip"})
    assert response.status_code == 422 and b"required" in response.data
    response = client.post(mapping_url, data={"column_0": "name", "column_1": "phone", "column_2": "email",
                                              "match_on": "email", "on_duplicate": "skip"})
    assert response.status_code == 302
    status_url = response.headers["Location"]
    work_off_jobs()
    page = client.get(status_url)
    assert page.status_code == 200 and b'data-testid="created">1<' in page.data
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.data and b"hx-trigger" not in fragment.data
    failed = client.get(f"{status_url}/failures.csv")
    assert failed.status_code == 200 and "not a phone number" in failed.get_data(as_text=True)
    assert _names(tenant_id) == ["张三"]


def test_an_import_in_progress_polls_and_survives_a_reload(app, client):
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    with tenant_context(t.id):
        run = ImportRun(object_key="contact", filename="big.csv", stored_name="x.csv", size=1, file_kind="csv",
                        headers=["Name"], mapping=["name"], status="running", on_duplicate="skip", dry_run=False,
                        total_rows=1000, processed_rows=250, created_count=250, updated_count=0,
                        skipped_count=0, failed_count=0)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    login(client, t.owner.email)
    page = client.get(f"/w/{t.slug}/data/imports/{run_id}")
    assert b'hx-trigger="every 1s"' in page.data and b'aria-valuenow="25"' in page.data
