"""Accepting an uploaded spreadsheet safely: name, size, content and archive limits, then a generated name.

A .xlsx file is a zip archive holding ``[Content_Types].xml`` and ``xl/workbook.xml``. The archive's
central directory is checked (entry count, total uncompressed size, compression ratio) before any
entry is decompressed, so a zip bomb is refused without being opened. Python's zipfile never inflates
an entry past its declared size, so the declared sizes bound the real work.
"""
from __future__ import annotations

import os
import uuid
import zipfile
from typing import BinaryIO

from flask import current_app

from registry.files import write_atomically
from registry.services.errors import ValidationFailed

ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 500
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed per entry; spreadsheets compress ~10-30x
_NAME_FORBIDDEN = set('/\\:*?"<>|\x00')


def _refuse(message: str) -> None:
    raise ValidationFailed({"file": [message]})


def check_filename(filename: str | None) -> str:
    """The display name if acceptable: ends in .xlsx, no path parts or control characters."""
    name = (filename or "").strip()
    if not name:
        _refuse("请选择要上传的 Excel 文件。")
    if ".." in name or any(ch in _NAME_FORBIDDEN or ord(ch) < 32 for ch in name):
        _refuse("文件名含有路径或非法字符，请改名后重新上传。")
    if len(name) > 200:
        _refuse("文件名过长。")
    if not name.lower().endswith(".xlsx"):
        _refuse("只接受 Excel 2007 及以上格式（.xlsx）的文件；.xls、.csv 请在 Excel 中另存为 .xlsx。")
    return name


def _read_limited(stream: BinaryIO, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        _refuse(f"文件过大：不能超过 {limit // (1024 * 1024)} MB。")
    if not data:
        _refuse("上传的文件是空的。")
    return data


def check_archive(path: str) -> None:
    """Refuse anything that is not a reasonable .xlsx archive; decompresses nothing."""
    with open(path, "rb") as fh:
        if fh.read(4) != ZIP_MAGIC:
            _refuse("文件内容不是 Excel（.xlsx）格式，可能只是改了扩展名。请用 Excel 另存为 .xlsx 后上传。")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse("文件已损坏或不是有效的 .xlsx 文件。")
    if len(infos) > MAX_ENTRIES:
        _refuse("文件结构异常（压缩包内文件过多），已拒绝。")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        _refuse("文件解压后过大（疑似压缩炸弹），已拒绝。请拆分后分批导入。")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
            _refuse("文件压缩比异常（疑似压缩炸弹），已拒绝。")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        _refuse("压缩包不是 Excel 工作簿（缺少工作簿内容），请上传 .xlsx 文件。")


def store_upload(filename: str | None, stream: BinaryIO) -> tuple[str, str]:
    """Validate and save an upload under a generated name in ``UPLOAD_DIR/imports``.

    Returns (display name, stored path). Raises ValidationFailed (field ``file``) with a message for people;
    a refused file is not kept.
    """
    name = check_filename(filename)
    limit = int(current_app.config.get("IMPORT_MAX_BYTES") or current_app.config["UPLOAD_MAX_BYTES"])
    data = _read_limited(stream, limit)
    if not data.startswith(ZIP_MAGIC):
        _refuse("文件内容不是 Excel（.xlsx）格式，可能只是改了扩展名。请用 Excel 另存为 .xlsx 后上传。")
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "imports")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{uuid.uuid4().hex}.xlsx")
    write_atomically(path, data)  # a full disk: StorageFull (field "file"), nothing left behind
    try:
        check_archive(path)
    except ValidationFailed:
        discard(path)
        raise
    return name, path


def discard(path: str | None) -> None:
    """Remove a stored upload (missing files are fine)."""
    if path:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
