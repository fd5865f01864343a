"""The record pages answer, and a form shows its errors next to the fields."""
from tests.conftest import login
def test_smoke(app, client, two_workspaces):
    a, b = two_workspaces
    login(client, a.owner.email)
    for path in ["contacts/", "companies/", "orders/", "activities/", "contacts/new", "search/?q=x", "settings/fields/", "settings/fields/?object=order"]:
        r = client.get(f"/w/{a.slug}/{path}")
        assert r.status_code == 200, (path, r.get_data(as_text=True)[-3000:])
    r = client.post(f"/w/{a.slug}/contacts/new", data={"name": "王小明", "email": "bad"})
    assert r.status_code == 422 and "e-mail" in r.get_data(as_text=True)
    r = client.post(f"/w/{a.slug}/contacts/new", data={"name": "王小明", "email": "wang@example.cn"})
    assert r.status_code == 302, r.get_data(as_text=True)
    r = client.get(r.headers["Location"])
    assert r.status_code == 200 and "王小明" in r.get_data(as_text=True)


def test_demo_data_fills_a_workspace(app, two_workspaces):
    import random

    from sqlalchemy import func, select

    from saas.extensions import db
    from saas.metadata.query import Filter, build_query, count
    from saas.modules.core.demo import fill
    from saas.modules.core.models import Contact, Order
    from saas.tenants.context import tenant_context

    a, _b = two_workspaces
    with tenant_context(a.id):
        fill(a.workspace, random.Random(7), contacts=120, companies=20, orders=400)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 120
        assert db.session.scalar(select(func.count()).select_from(Order)) == 400
        assert count(build_query("contact", [Filter("membership_level", "eq", "gold")])) > 0
