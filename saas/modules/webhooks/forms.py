"""The webhook form (Flask-WTF: CSRF and field errors)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, URLField
from wtforms.validators import DataRequired, Length

from saas.tenants.forms import REQUIRED, MultiCheckboxField


class WebhookForm(FlaskForm):
    url = URLField(_l("Endpoint URL"), validators=[DataRequired(REQUIRED), Length(max=2000)],
                   description=_l("Where to POST the events, e.g. https://erp.example.com/orchard-hook"))
    description = StringField(_l("Description"), validators=[Length(max=200)])
    events = MultiCheckboxField(_l("Events"))
