"""Who gets a greeting today, and sending it (once per contact, occasion and year)."""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from saas.plugin_api import Contact, current_workspace, db, plugin_settings, send_mail
from birthday_greetings.calendar import holiday_label, holidays_on
from birthday_greetings.models import Greeting

PLUGIN = "birthday_greetings"
BIRTHDAY_FIELD = "birthday"


@dataclass
class Due:
    contact: Contact
    occasion: str  # "birthday" or a holiday key


def _birthday_column():
    return Contact.custom[BIRTHDAY_FIELD].as_string()


def birthdays_on(day: date) -> list[Contact]:
    """Contacts (with an e-mail) born on this month and day; on 28 February of a common year,
    also those born on the 29th."""
    suffixes = [f"-{day.month:02d}-{day.day:02d}"]
    if day.month == 2 and day.day == 28 and not month_calendar.isleap(day.year):
        suffixes.append("-02-29")
    column = _birthday_column()
    return list(db.session.scalars(
        select(Contact).where(Contact.email.isnot(None), Contact.email != "",
                              or_(*[column.like(f"%{suffix}") for suffix in suffixes]))
        .order_by(Contact.id)))


def due_on(day: date) -> list[Due]:
    """The greetings the workspace in context owes on `day`, per its settings."""
    settings = plugin_settings(PLUGIN)
    due = [Due(c, "birthday") for c in birthdays_on(day)] if settings["send_birthdays"] else []
    holidays = holidays_on(day, settings["holidays"])
    if holidays:
        contacts = list(db.session.scalars(
            select(Contact).where(Contact.email.isnot(None), Contact.email != "").order_by(Contact.id)))
        due += [Due(c, key) for key in holidays for c in contacts]
    return due


def _render(template: str, **values: str) -> str:
    # str.format would let a tenant's text read attributes ({name.__class__}): replace plain names only.
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def send_due(day: date | None = None) -> int:
    """Send the greetings owed today that were not sent yet; returns how many went out."""
    day = day or date.today()
    settings = plugin_settings(PLUGIN)
    workspace = current_workspace()
    sent_already = {(g.contact_id, g.occasion) for g in db.session.scalars(
        select(Greeting).where(Greeting.year == day.year))}
    count = 0
    for item in due_on(day):
        if (item.contact.id, item.occasion) in sent_already:
            continue
        values = {"name": item.contact.name, "workspace": workspace.name,
                  "holiday": holiday_label(item.occasion) if item.occasion != "birthday" else ""}
        kind = "birthday" if item.occasion == "birthday" else "holiday"
        subject = _render(settings[f"{kind}_subject"], **values)
        send_mail(item.contact.email, subject, _render(settings[f"{kind}_message"], **values))
        db.session.add(Greeting(contact_id=item.contact.id, occasion=item.occasion, year=day.year, sent_on=day,
                                email=item.contact.email, subject=subject[:255]))
        sent_already.add((item.contact.id, item.occasion))
        count += 1
    db.session.flush()
    return count


def daily() -> int:
    """The scheduled job: today's greetings for the workspace in context, committed."""
    count = send_due()
    db.session.commit()
    return count


def recent(limit: int = 50) -> list[Greeting]:
    return list(db.session.scalars(select(Greeting).order_by(Greeting.id.desc()).limit(limit)))


def upcoming_birthdays(today: date, days: int = 30) -> list[tuple[date, Contact]]:
    """Contacts whose birthday comes within `days`, soonest first."""
    out = []
    column = _birthday_column()
    for contact, value in db.session.execute(select(Contact, column).where(column.isnot(None))):
        try:
            born = date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
        for year in (today.year, today.year + 1):
            try:
                next_day = born.replace(year=year)
            except ValueError:  # born on 29 February
                next_day = date(year, 2, 28)
            if next_day >= today:
                break
        if (next_day - today).days <= days:
            out.append((next_day, contact))
    return sorted(out, key=lambda pair: (pair[0], pair[1].id))
