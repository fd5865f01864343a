"""Labels per UI language: {"en": ..., "zh_Hans": ..., "zh_Hant": ...}."""
from __future__ import annotations

LANGUAGES = ("en", "zh_Hans", "zh_Hant")


def current_language() -> str:
    """The language code of the request, or English outside one."""
    try:
        from saas.web.i18n import current_locale_code

        return current_locale_code()
    except Exception:  # outside a request (jobs, CLI): English
        return "en"


def pick(labels: dict | None, locale: str | None = None) -> str:
    """The label in `locale`, else the other Chinese script, else English, else any."""
    if not labels:
        return ""
    locale = locale or current_language()
    fallbacks = [locale, {"zh_Hans": "zh_Hant", "zh_Hant": "zh_Hans"}.get(locale, ""), "en"]
    for code in fallbacks:
        if labels.get(code):
            return labels[code]
    return next((v for v in labels.values() if v), "")
