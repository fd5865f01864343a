"""The core module's pages: record lists and record pages per object, search, the field studio."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, url_for

from saas.metadata.objects import object_type

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")


def record_url(object_key: str, record_id: int) -> str | None:
    """The record page of any registered object with pages, or None."""
    spec = object_type(object_key)
    if spec is None or not spec.endpoint:
        return None
    return url_for(f"{spec.endpoint}.show", **{f"{object_key}_id": record_id})


def register(app: Flask) -> None:
    """Register the core blueprints under the workspace prefix."""
    from saas.modules.core import display
    from saas.modules.core.objects import CORE_OBJECTS
    from saas.modules.core.views import records, search, studio
    from saas.tenants.request import WORKSPACE_PREFIX

    # One blueprint carries the templates; the per-object ones share them.
    app.register_blueprint(Blueprint("core_templates", __name__, template_folder=TEMPLATES))
    for spec in CORE_OBJECTS:
        app.register_blueprint(records.make_blueprint(spec), url_prefix=f"{WORKSPACE_PREFIX}/{spec.endpoint}")
    app.register_blueprint(search.bp, url_prefix=f"{WORKSPACE_PREFIX}/search")
    app.register_blueprint(studio.bp, url_prefix=f"{WORKSPACE_PREFIX}/settings/fields")
    from saas.metadata.definitions import object_label
    from saas.metadata.types import from_storage
    from saas.modules.core.records import reference_picker

    app.jinja_env.globals.update(record_display=display.display, record_input_value=display.input_value,
                                 record_url=record_url, reference_picker=reference_picker,
                                 record_object_label=object_label,
                                 history_value=lambda f, value: from_storage(f.type, value))
