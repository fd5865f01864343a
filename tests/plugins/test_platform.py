"""The plugin platform: manifests, discovery, per-workspace enablement, hook isolation."""
from __future__ import annotations

from saas.extensions import db
from saas.modules.apps import services
from saas.modules.apps.manifest import ManifestError, read_manifest
from saas.plugins import hooks, platform
from saas.tenants.context import tenant_context
from tests import factories
from tests.conftest import login
from tests.plugins import sample_plugin

import pytest


def enable(tenant, name="sample"):
    with tenant_context(tenant.id):
        services.enable(tenant.workspace, name)
        db.session.commit()


def disable(tenant, name="sample"):
    with tenant_context(tenant.id):
        services.disable(tenant.workspace, name)
        db.session.commit()


def test_builtins_and_installed_plugins_have_manifests_and_the_invalid_one_is_broken(app):
    plugins = platform().plugins
    assert {"apps", "core", "sample"} <= {p.name for p in platform().loaded()}
    assert plugins["apps"].manifest.always_on
    broken = plugins["tests.plugins.broken_plugin"]
    assert broken.broken and "name:" in broken.error and "permissions:" in broken.error


def test_manifest_problems_are_named():
    class Module:
        MANIFEST = {"name": "ok_name", "version": "1", "publisher": "x", "description": "d", "plan": ""}

    with pytest.raises(ManifestError, match="plan"):
        read_manifest(Module)
    with pytest.raises(ManifestError, match="no MANIFEST"):
        read_manifest(object())


def test_a_and_b_see_only_what_they_enabled(app, client, two_workspaces):
    a, b = two_workspaces
    enable(a)
    login(client, a.owner.email)
    assert client.get(f"/w/{a.slug}/sample/").status_code == 200
    assert b"/sample/" in client.get(f"/w/{a.slug}/").data
    apps_page = client.get(f"/w/{a.slug}/settings/apps/")
    assert apps_page.status_code == 200 and b"A plugin for the platform" in apps_page.data
    assert b"tests.plugins.broken_plugin" in apps_page.data  # listed as broken

    other = app.test_client()
    login(other, b.owner.email)
    assert other.get(f"/w/{b.slug}/sample/").status_code == 404
    assert b"/sample/" not in other.get(f"/w/{b.slug}/").data
    sample_plugin.CALLS.clear()
    other.get(f"/w/{b.slug}/")
    assert not [c for c in sample_plugin.CALLS if c[1] == b.id]  # its hooks are not called for B
    # B's admin cannot reach A's Apps page, nor change A's plugins
    assert other.get(f"/w/{a.slug}/settings/apps/").status_code == 404
    assert other.post(f"/w/{a.slug}/settings/apps/sample/disable").status_code == 404
    assert other.get(f"/w/{a.slug}/settings/apps/sample/settings").status_code == 404
    assert client.get(f"/w/{a.slug}/sample/").status_code == 200


def test_disable_hides_routes_and_hooks_and_re_enable_brings_settings_back(app, client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    assert client.post(f"/w/{a.slug}/settings/apps/sample/enable").status_code == 302
    assert sample_plugin.CALLS[-1] == ("plugin_enabled", a.id, True)
    assert client.post(f"/w/{a.slug}/settings/apps/sample/settings",
                       data={"motto": "Harvest", "limit": "7"}).status_code == 302
    assert client.post(f"/w/{a.slug}/settings/apps/sample/disable").status_code == 302
    assert client.get(f"/w/{a.slug}/sample/").status_code == 404
    assert client.get(f"/w/{a.slug}/settings/apps/sample/settings").status_code == 404
    assert b"/sample/" not in client.get(f"/w/{a.slug}/").data
    assert client.post(f"/w/{a.slug}/settings/apps/sample/enable").status_code == 302
    assert sample_plugin.CALLS[-1] == ("plugin_enabled", a.id, False)
    assert client.get(f"/w/{a.slug}/sample/").status_code == 200
    assert services.settings_of(a.workspace, "sample") == {"motto": "Harvest", "limit": 7}


def test_settings_form_shows_errors_next_to_fields_and_saves_nothing(app, client, two_workspaces):
    a, _b = two_workspaces
    enable(a)
    login(client, a.owner.email)
    url = f"/w/{a.slug}/settings/apps/sample/settings"
    page = client.get(url)
    assert page.status_code == 200 and b'value="Grow"' in page.data
    bad = client.post(url, data={"motto": "", "limit": "11"})
    assert bad.status_code == 422
    assert bad.data.count(b'class="error"') == 2
    assert services.settings_of(a.workspace, "sample") == {"motto": "Grow", "limit": 5}


def test_only_admins_manage_apps_and_core_modules_stay_on(app, client, two_workspaces):
    a, _b = two_workspaces
    factories.member(a, "member@alpha.example", role="member")
    login(client, "member@alpha.example")
    assert client.get(f"/w/{a.slug}/settings/apps/").status_code == 403
    assert client.post(f"/w/{a.slug}/settings/apps/sample/enable").status_code == 403
    owner = app.test_client()
    login(owner, a.owner.email)
    owner.post(f"/w/{a.slug}/settings/apps/apps/disable")
    with tenant_context(a.id):
        assert "apps" in services.enabled_plugin_names(a.workspace)
    assert owner.post(f"/w/{a.slug}/settings/apps/nope/enable").status_code == 404


def test_a_plugin_that_raises_does_not_break_the_page_and_its_admin_sees_the_error(app, client, two_workspaces):
    a, _b = two_workspaces
    enable(a)
    sample_plugin.FAIL["navigation_items"] = True
    login(client, a.owner.email)
    home = client.get(f"/w/{a.slug}/")
    assert home.status_code == 200 and b"/sample/" not in home.data
    assert platform().error_for(a.id, "sample")["error"] == "RuntimeError: sample broke"
    assert b"sample broke" in client.get(f"/w/{a.slug}/settings/apps/").data


def test_workspace_hooks_need_a_workspace_and_run_in_its_tenant_context(app, two_workspaces):
    a, b = two_workspaces
    enable(a)
    with pytest.raises(TypeError):
        hooks().navigation_items()
    with tenant_context(b.id):  # called for A from B's context: the platform switches to A
        seen = []
        from saas.tenants.context import current_tenant_id

        original = sample_plugin.navigation_items

        def spy(workspace):
            seen.append(current_tenant_id())
            return []

        impl = [i for i in platform().pm.hook.navigation_items.get_hookimpls() if i.plugin_name == "sample"][0]
        impl.function = spy
        try:
            hooks(workspace=a.workspace).navigation_items()
            hooks(workspace=b.workspace).navigation_items()
        finally:
            impl.function = original
    assert seen == [a.id]


def test_db_upgrade_takes_every_head_and_plugin_folders(app, runner):
    from saas.modules.apps.migrations import version_locations

    upgrade = app.cli.commands["db"].commands["upgrade"]
    assert [p.default for p in upgrade.params if p.name == "revision"] == ["heads"]
    assert len(version_locations(app)) >= 1
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from sqlalchemy import create_engine, text

    engine = create_engine(app.config["DATABASE_OWNER_URL"])  # the app's role may not read alembic_version
    with engine.connect() as conn:
        versions = set(conn.execute(text("select version_num from alembic_version")).scalars())
    engine.dispose()
    # The main line's head and the plugins' own (birthday_greetings, from its folder).
    assert "0012_redundant_tenant_indexes" in versions
    assert any(v.startswith("birthday_greetings_") for v in versions)
