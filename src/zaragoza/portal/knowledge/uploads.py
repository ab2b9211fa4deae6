"""Uploaded documents (a practice's documents, a benchmark answer's evidence): the type
read from the file's bytes (never its name or the browser's word), the size limited, the
name made by the portal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import filetype
from django.utils.translation import gettext as _

from zaragoza.portal.accounts.conf import MAX_UPLOAD_BYTES

__all__ = ["UPLOAD_TYPES", "CheckedUpload", "UploadRefusedError", "checked_upload"]

#: Accepted media types and the extension the stored file gets.
UPLOAD_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


class UploadRefusedError(ValueError):
    """The file is too large or of a type not accepted (the message says which)."""


@dataclass
class CheckedUpload:
    file: Any
    media_type: str
    size: int


def checked_upload(f: Any, stem: str) -> CheckedUpload:
    """Check an uploaded file and name it ``<stem>.<ext>``."""
    if f.size > MAX_UPLOAD_BYTES:
        raise UploadRefusedError(_("The file is larger than 10 MB."))
    head = f.read(8192)
    f.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime == "application/zip" and f.read().find(b"word/document.xml") >= 0:
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    f.seek(0)
    if mime not in UPLOAD_TYPES:
        raise UploadRefusedError(
            _("This type of file is not accepted: PDF, PNG, JPEG, ODT or DOCX only.")
        )
    f.name = f"{stem}.{UPLOAD_TYPES[mime]}"
    return CheckedUpload(f, mime, int(f.size))
