"""The one way a view sends a file as a download, and the one pattern export files are named by."""
from __future__ import annotations

import logging
import os
from datetime import date

from flask import send_file

from registry import clock
from registry.services.errors import NotFound
from registry.text import one_line

log = logging.getLogger(__name__)
MISSING_FILE = "文件不在本服务器的存储中，请联系系统管理员。"


def send_download(source, name: str | None, mimetype: str | None = None):
    """``source`` (a path or a binary stream) as an attachment named ``name``. The name often holds user text
    (an enterprise name, an uploaded file's name), so it is flattened to one line: a newline or a NUL in it is
    never a header error (a 500). The content type is never sniffed.

    Raises NotFound when the path does not exist: on a node whose uploads folder is not the shared volume, say so.
    """
    if isinstance(source, (str, os.PathLike)) and not os.path.isfile(source):
        log.error("file missing under %s (uploads and exports must be one volume shared by every node: "
                  "deploy/README.md, Scale-out)", os.path.dirname(os.fspath(source)))
        raise NotFound(MISSING_FILE)
    response = send_file(source, mimetype=mimetype, as_attachment=True,
                         download_name=one_line(name, 200) or "download")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def export_name(what: str, on: date | None = None, ext: str = "xlsx") -> str:
    """Every export's file name: ``<what>-<YYYY-MM-DD>.<ext>`` in Chinese with the Linhai (Asia/Shanghai) date,
    e.g. ``企业名录-2026-12-04.xlsx``. ``send_download`` sends a non-ASCII name as RFC 5987 ``filename*``."""
    return f"{what}-{(on or clock.today()).isoformat()}.{ext}"
