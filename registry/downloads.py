"""The one way a view sends a file as a download."""
from __future__ import annotations

from flask import send_file

from registry.text import one_line


def send_download(source, name: str | None, mimetype: str | None = None):
    """``source`` (a path or a binary stream) as an attachment named ``name``. The name often holds user text
    (an enterprise name, an uploaded file's name), so it is flattened to one line: a newline or a NUL in it is
    never a header error (a 500). The content type is never sniffed."""
    response = send_file(source, mimetype=mimetype, as_attachment=True,
                         download_name=one_line(name, 200) or "download")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
