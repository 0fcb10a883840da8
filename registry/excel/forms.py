"""The upload form (HTTP boundary only: the file's checks live in registry.excel.uploads)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from registry.excel.templates import import_choices


class UploadForm(FlaskForm):
    kind = SelectField(_l("导入内容"))
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[FileRequired(message=_l("请选择要上传的 Excel 文件。"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = import_choices()


class ConfirmForm(FlaskForm):
    """Only the CSRF token: what is imported is the previewed file, nothing else is read from the request."""
