"""The upload form (the mapping form is built per file in the template: one select per column)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField

from saas.modules.imports.reading import ENCODINGS


class UploadForm(FlaskForm):
    file = FileField(_l("File"), description=_l("A .csv or .xlsx file whose first row names the columns."))
    object_key = SelectField(_l("Import into"))
    encoding = SelectField(_l("Encoding"), default="",
                           choices=[("", _l("Detect it for me"))] + list(ENCODINGS.items()),
                           description=_l("For CSV files. Files saved by Chinese Excel are usually GBK."))
