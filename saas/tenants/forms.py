"""Browser forms of accounts and workspace settings (Flask-WTF: CSRF and field errors)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from saas.errors import InputError

REQUIRED = _l("This field is required.")


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(_l("Work e-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters, mixing letters with digits or symbols."))
    workspace_name = StringField(_l("Company or workspace name"), validators=[DataRequired(REQUIRED), Length(max=120)])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("Keep me logged in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))])


class JoinForm(FlaskForm):
    """Create an account while accepting an invitation."""

    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             description=_l("At least 10 characters, mixing letters with digits or symbols."))


class AcceptForm(FlaskForm):
    """Accept an invitation as the user who is logged in (CSRF only)."""


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    role = SelectField(_l("Role"), default="member")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))


class WorkspaceForm(FlaskForm):
    name = StringField(_l("Workspace name"), validators=[DataRequired(REQUIRED), Length(max=120)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)],
                       description=_l("What uses this token, e.g. “ERP sync”."))
    scopes = MultiCheckboxField(_l("Scopes"))


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF only)."""


def show_errors(form: FlaskForm, error: InputError) -> None:
    """Put a service's field errors next to the form's fields; the rest become form errors."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)
    if not error.fields and error.message:
        form.form_errors.append(error.message)
