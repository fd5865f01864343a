"""Choosing the user's language: their pick, else their account's, else the browser's."""
from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session
from flask_babel import get_locale
from flask_login import current_user

from saas.extensions import db

bp = Blueprint("i18n", __name__)


def _supported() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    if not has_request_context():
        # Jobs and commands: the workspace's language is not known here; English.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in _supported():
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in _supported():
        return current_user.locale
    return _best_from_browser()


def _best_from_browser() -> str:
    # Browsers say zh-CN / zh-SG for simplified and zh-TW / zh-HK / zh-MO for traditional.
    for lang, _quality in request.accept_languages:
        tag = lang.lower().replace("_", "-")
        if tag.startswith("zh"):
            traditional = any(part in tag for part in ("hant", "-tw", "-hk", "-mo"))
            return "zh_Hant" if traditional else "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale_code() -> str:
    """The UI language in the form the settings use: en, zh_Hans or zh_Hant."""
    locale = get_locale()
    if locale is None or locale.language != "zh":
        return "en"
    return "zh_Hant" if locale.script == "Hant" else "zh_Hans"


def html_lang() -> str:
    return {"en": "en", "zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}[current_locale_code()]


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the UI language; kept in the session and on the account."""
    if code in _supported():
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next") or request.referrer or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target)
