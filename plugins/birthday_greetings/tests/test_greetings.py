"""Birthday greetings, tested from its own package through saas.plugin_api.testing."""
from __future__ import annotations

from datetime import date

import pytest

from saas.plugin_api import Contact, db, testing
from birthday_greetings import greetings
from birthday_greetings.calendar import holidays_on


@pytest.fixture
def app(tmp_path):
    app = testing.make_app(tmp_path, plugins=["birthday_greetings.plugin"])
    with app.app_context():
        yield app


@pytest.fixture
def alpha(app):
    workspace = testing.workspace("Alpha Trading", "owner@alpha.example")
    testing.enable(workspace, "birthday_greetings")
    return workspace


@pytest.fixture
def beta(app):
    return testing.workspace("Beta Foods", "owner@beta.example")


def add_contact(workspace, name, email, birthday=None):
    with testing.in_workspace(workspace):
        contact = Contact(name=name, email=email, custom={"birthday": birthday} if birthday else {})
        db.session.add(contact)
        db.session.commit()
        return contact.id


def test_a_contact_is_greeted_on_their_birthday_once(alpha):
    add_contact(alpha, "Li Na", "li.na@example.com", "1990-03-14")
    add_contact(alpha, "Tom", "tom@example.com", "1985-07-01")
    with testing.in_workspace(alpha):
        assert greetings.send_due(date(2027, 3, 14)) == 1
        db.session.commit()
        assert greetings.send_due(date(2027, 3, 14)) == 0  # the job may run twice: no second mail
    mails = testing.outbox(alpha)
    assert [m["to"] for m in mails] == ["li.na@example.com"]
    assert mails[0]["subject"] == "Happy birthday, Li Na!"
    assert "Alpha Trading" in mails[0]["body"]


def test_born_on_29_february_is_greeted_on_the_28th_in_a_common_year(alpha):
    add_contact(alpha, "Leap", "leap@example.com", "2000-02-29")
    with testing.in_workspace(alpha):
        assert greetings.send_due(date(2027, 2, 28)) == 1


def test_the_holidays_the_workspace_picks_greet_every_contact(alpha, app):
    add_contact(alpha, "Li Na", "li.na@example.com")
    add_contact(alpha, "No mail", "")
    assert holidays_on(date(2026, 2, 17), ["spring_festival"]) == ["spring_festival"]
    assert holidays_on(date(2026, 9, 25), ["mid_autumn", "christmas"]) == ["mid_autumn"]
    with testing.in_workspace(alpha):
        assert greetings.send_due(date(2026, 2, 17)) == 1   # 春节 is picked by default
        assert greetings.send_due(date(2026, 12, 25)) == 0  # Christmas is not
    assert "Spring Festival" in testing.outbox(alpha)[0]["subject"]


def test_settings_form_validates_and_changes_the_greetings(alpha, app):
    add_contact(alpha, "Li Na", "li.na@example.com")
    client = app.test_client()
    testing.login(client, "owner@alpha.example")
    url = f"/w/{alpha.slug}/settings/apps/birthday_greetings/settings"
    page = client.get(url)
    assert page.status_code == 200 and "Christmas".encode() in page.data
    bad = client.post(url, data={"holidays": ["christmas"], "birthday_subject": "", "birthday_message": "x",
                                 "holiday_subject": "s", "holiday_message": "m"})
    assert bad.status_code == 422
    good = client.post(url, data={"holidays": ["christmas"], "birthday_subject": "HB {name}",
                                  "birthday_message": "x", "holiday_subject": "Merry {holiday}, {name}",
                                  "holiday_message": "m"})
    assert good.status_code == 302
    with testing.in_workspace(alpha):
        assert greetings.send_due(date(2026, 12, 25)) == 1
        assert greetings.send_due(date(2027, 2, 6)) == 0  # 春节 is no longer picked
    assert testing.outbox(alpha)[0]["subject"] == "Merry Christmas, Li Na"


def test_the_daily_job_runs_only_for_workspaces_that_enabled_the_plugin(alpha, beta, app):
    today = date.today().isoformat()
    add_contact(alpha, "Alpha's", "a@example.com", today)
    add_contact(beta, "Beta's", "b@example.com", today)
    testing.run_scheduled_jobs()
    assert [m["to"] for m in testing.outbox(alpha)] == ["a@example.com"]
    assert testing.outbox(beta) == []


def test_pages_and_navigation_follow_enablement_and_data_survives_disabling(alpha, beta, app):
    add_contact(alpha, "Li Na", "li.na@example.com", date.today().isoformat())
    client = app.test_client()
    testing.login(client, "owner@alpha.example")
    assert client.post(f"/w/{alpha.slug}/greetings/send").status_code == 302
    page = client.get(f"/w/{alpha.slug}/greetings/")
    assert page.status_code == 200 and b"li.na@example.com" in page.data

    other = app.test_client()
    testing.login(other, "owner@beta.example")
    assert other.get(f"/w/{beta.slug}/greetings/").status_code == 404
    assert b"/greetings/" not in other.get(f"/w/{beta.slug}/").data
    assert other.get(f"/w/{alpha.slug}/greetings/").status_code == 404  # not a member of Alpha

    testing.disable(alpha, "birthday_greetings")
    assert client.get(f"/w/{alpha.slug}/greetings/").status_code == 404
    assert b"/greetings/" not in client.get(f"/w/{alpha.slug}/").data
    testing.enable(alpha, "birthday_greetings")
    page = client.get(f"/w/{alpha.slug}/greetings/")
    assert page.status_code == 200 and b"li.na@example.com" in page.data
