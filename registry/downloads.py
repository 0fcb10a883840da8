"""The one way a view sends a file as a download, and the one pattern export files are named by."""
from __future__ import annotations

from datetime import date

from flask import send_file

from registry import clock
from registry.text import one_line


def send_download(source, name: str | None, mimetype: str | None = None):
    """``source`` (a path or a binary stream) as an attachment named ``name``. The name often holds user text
    (an enterprise name, an uploaded file's name), so it is flattened to one line: a newline or a NUL in it is
    never a header error (a 500). The content type is never sniffed."""
    response = send_file(source, mimetype=mimetype, as_attachment=True,
                         download_name=one_line(name, 200) or "download")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def export_name(what: str, on: date | None = None, ext: str = "xlsx") -> str:
    """Every export's file name: ``<what>-<YYYY-MM-DD>.<ext>`` in Chinese with the Linhai (Asia/Shanghai) date,
    e.g. ``企业名录-2026-12-04.xlsx``. ``send_download`` sends a non-ASCII name as RFC 5987 ``filename*``."""
    return f"{what}-{(on or clock.today()).isoformat()}.{ext}"
