"""The module's per-workspace settings (edited on the Apps page) and its app-wide limits."""
from __future__ import annotations

import os
from dataclasses import dataclass

import phonenumbers
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

PLUGIN_NAME = "imports"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_EXPORT_INLINE_ROWS = 5000


class ImportSettings(Schema):
    """How this workspace's files are read: the phone region and the order of day and month."""

    phone_region = fields.String(
        load_default="CN", validate=validate.OneOf(sorted(phonenumbers.SUPPORTED_REGIONS)),
        metadata={"label": _l("Default phone region"),
                  "description": _l("Two-letter country code used for numbers written without +country, e.g. CN.")})
    date_order = fields.String(
        load_default="dmy", validate=validate.OneOf(["dmy", "mdy"], labels=[_l("24/11/2026 (day first)"),
                                                                               _l("11/24/2026 (month first)")]),
        metadata={"label": _l("Dates with slashes"), "description": _l("How to read a date like 03/04/2026.")})


@dataclass(frozen=True)
class Cleaning:
    """What the cleaning rules need to know about the workspace."""

    phone_region: str = "CN"
    date_order: str = "dmy"


def cleaning_for(workspace) -> Cleaning:
    """The workspace's cleaning settings, defaults filled in."""
    from saas.modules.apps.services import settings_of

    values = settings_of(workspace, PLUGIN_NAME) or {}
    return Cleaning(phone_region=values.get("phone_region", "CN"), date_order=values.get("date_order", "dmy"))


def configure(app: Flask) -> None:
    """App-wide limits from the environment, unless the config already has them (tests)."""
    app.config.setdefault("IMPORT_MAX_BYTES", int(os.environ.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)))
    app.config.setdefault("EXPORT_INLINE_ROWS",
                          int(os.environ.get("EXPORT_INLINE_ROWS", DEFAULT_EXPORT_INLINE_ROWS)))
    app.config.setdefault("IMPORT_FILES_DIR", os.environ.get("IMPORT_FILES_DIR") or
                          os.path.join(app.instance_path, "files"))


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
