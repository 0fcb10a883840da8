"""Writing a file under the instance folder so that a full disk leaves nothing behind (reliability.md, "disk full
under uploads and exports"): the bytes go to a temporary name in the same folder, are flushed to disk, then renamed
into place in one step; a failed write removes its temporary file. Callers add the database row only after the
file is in place, so there is never a row without its file, nor a file without its row."""
from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Callable
from typing import BinaryIO

from registry.services.errors import ValidationFailed

DISK_FULL = "服务器存储空间不足，文件未保存。请稍后再试，或请管理员清理空间后重试。"
TEMP_PREFIX = ".partial-"


class StorageFull(ValidationFailed):
    """No space left for the file: nothing was written."""

    def __init__(self, field: str = "file"):
        super().__init__({field: [DISK_FULL]})


def write_atomically(path: str, content: bytes | Callable[[BinaryIO], None], field: str = "file") -> None:
    """Write ``content`` (bytes, or a function writing to the open file) to ``path``, all or nothing. Raises
    StorageFull (a ValidationFailed naming ``field``) when the disk or quota is full; other errors as they are."""
    folder = os.path.dirname(path)
    temporary = os.path.join(folder, f"{TEMP_PREFIX}{uuid.uuid4().hex}")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(temporary, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(field) from exc
        raise
