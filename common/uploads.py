"""Uploads checked by their content, never by their name (KYC documents, RFQ attachments).

The first bytes decide the type (`filetype` reads magic numbers; DOCX/XLSX by the parts of
the zip). A renamed executable (MZ, ELF, …) is whatever its bytes say, so it is refused.
"""
from __future__ import annotations

import filetype
from django.core.files.uploadedfile import UploadedFile

HEAD_BYTES = 8192
TEXT = "text/plain"


def size_label(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still text.
        return exc.start >= len(head) - 3 and len(head) == HEAD_BYTES
    return True


def sniff_upload(upload: UploadedFile[bytes], allowed: dict[str, str]) -> tuple[str, str] | None:
    """(content type, extension) of an upload whose content is one of `allowed` (content type →
    extension), else None. Plain text is recognised only if `allowed` names "text/plain"; a
    text file named .csv keeps the .csv extension and is served as text/csv."""
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    guessed = filetype.guess(head)
    if guessed is not None:
        return (guessed.mime, allowed[guessed.mime]) if guessed.mime in allowed else None
    if TEXT in allowed and _looks_like_text(head):
        if (upload.name or "").lower().endswith(".csv"):
            return "text/csv", ".csv"
        return TEXT, allowed[TEXT]
    return None
