"""Receipts of flexible-fund expenses. An upload is taken only if its first bytes say it is
a JPEG, PNG, WebP image or a PDF, whatever its name or the content type the browser
claimed, and only up to 5 MB. It is stored at a random path that no URL serves; the receipt
view checks access and audits every read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File

MAX_RECEIPT_BYTES = 5 * 1024 * 1024

# (first bytes, suffix, content type). WebP is RIFF....WEBP, checked apart.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"%PDF-", "pdf", "application/pdf"),
)
WRONG_KIND = "Upload a photo of the receipt (JPEG, PNG or WebP) or a PDF."


def receipt_kind(head: bytes) -> tuple[str, str] | None:
    """(suffix, content type) of a file from its first bytes, or None."""
    for magic, suffix, content_type in SIGNATURES:
        if head.startswith(magic):
            return suffix, content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def receipt_prepare(upload: File[bytes]) -> tuple[ContentFile[bytes], str]:
    """The receipt to store and its content type, or a ValidationError saying what is
    wrong. The name the browser sent is not kept."""
    if upload.size is None or upload.size > MAX_RECEIPT_BYTES:
        raise ValidationError({"receipt": "A receipt may be at most 5 MB."})
    if upload.size == 0:
        raise ValidationError({"receipt": "The file is empty."})
    upload.seek(0)
    data = upload.read()
    if len(data) > MAX_RECEIPT_BYTES:
        raise ValidationError({"receipt": "A receipt may be at most 5 MB."})
    kind = receipt_kind(data[:16])
    if kind is None:
        raise ValidationError({"receipt": WRONG_KIND})
    suffix, content_type = kind
    return ContentFile(data, name=f"receipt.{suffix}"), content_type
