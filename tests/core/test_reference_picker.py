"""A reference field's picker: a plain list while the records fit in one, searched by title
beyond; the search keeps the value the field holds and sees only its own workspace."""
from __future__ import annotations

from sqlalchemy import insert

from saas.extensions import db
from saas.modules.core import records
from saas.modules.core.models import Company, Contact
from saas.tenants.context import tenant_context
from tests.conftest import login


def _companies(tenant, names):
    with tenant_context(tenant.id):
        db.session.execute(insert(Company), [{"tenant_id": tenant.id, "name": n, "custom": {}, "tags": []}
                                             for n in names])
        db.session.commit()


def _picker_url(slug, **args):
    query = "&".join(f"{k}={v}" for k, v in {"object": "contact", "field": "company", **args}.items())
    return f"/w/{slug}/search/references?{query}"


def test_a_few_records_are_listed_without_a_search(app, client, two_workspaces):
    a, _b = two_workspaces
    _companies(a, ["Acme", "Globex"])
    login(client, a.owner.email)
    page = client.get(f"/w/{a.slug}/contacts/new").get_data(as_text=True)
    assert "Acme" in page and "Globex" in page
    assert 'id="field-company-find"' not in page


def test_beyond_the_list_the_picker_searches_and_the_chosen_record_is_saved(app, client, two_workspaces):
    a, b = two_workspaces
    _companies(a, [f"Supplier {i:04d}" for i in range(records.PICKER_LISTS_UP_TO + 20)])
    _companies(b, ["Supplier 0510 of Beta"])
    login(client, a.owner.email)
    page = client.get(f"/w/{a.slug}/contacts/new").get_data(as_text=True)
    assert 'id="field-company-find"' in page and "Supplier 0000" in page and "Supplier 0510" not in page

    options = client.get(_picker_url(a.slug, q="0510")).get_data(as_text=True)
    assert "Supplier 0510" in options and "Beta" not in options and "Supplier 0000" not in options
    with tenant_context(a.id):
        chosen = db.session.scalar(db.select(Company.id).where(Company.name == "Supplier 0510"))

    # The value held stays among the options whatever is searched.
    kept = client.get(_picker_url(a.slug, q="zzz", company=chosen)).get_data(as_text=True)
    assert f'value="{chosen}" selected' in kept and "Nothing matches" in kept

    r = client.post(f"/w/{a.slug}/contacts/new", data={"name": "王小明", "company": chosen, "q": "0510"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with tenant_context(a.id):
        assert db.session.scalar(db.select(Contact.company_id).where(Contact.name == "王小明")) == chosen
    # The edit form shows the record's company by its title although it is past the first page.
    edit = client.get(r.headers["Location"] + "/edit").get_data(as_text=True)
    assert f'<option value="{chosen}" selected>Supplier 0510</option>' in edit


def test_the_picker_search_answers_only_for_reference_fields_of_the_workspace(app, client, two_workspaces):
    a, b = two_workspaces
    _companies(b, ["Beta Only"])
    login(client, a.owner.email)
    assert "Beta Only" not in client.get(_picker_url(a.slug, q="Beta")).get_data(as_text=True)
    assert client.get(_picker_url(a.slug, field="name")).status_code == 404
    assert client.get(_picker_url(a.slug, object="nothing")).status_code == 404
    assert client.get(_picker_url(b.slug, q="Beta")).status_code in (302, 403, 404)
