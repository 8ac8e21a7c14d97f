"""Signatures on releases: a PNG drawn on the screen (sent as a data URL) or a scan of a
signed paper form. Either is decoded by Pillow and re-encoded from its pixels alone, so no
metadata is stored, and kept under MEDIA_ROOT at a random path that no URL serves."""

from __future__ import annotations

import base64
import binascii
import io
from typing import IO, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from PIL import Image, UnidentifiedImageError

MAX_SIGNATURE_BYTES = 5 * 1024 * 1024
MAX_SIGNATURE_PIXELS = 40_000_000
LONG_SIDE = 2000
DATA_URL_PREFIX = "data:image/png;base64,"
SCAN_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
UNREADABLE = "The signature could not be read. Draw it again, or upload a JPEG, PNG or WebP scan."


def signature_from_data_url(data_url: str) -> ContentFile[bytes]:
    """The PNG a signature pad sent, checked and re-encoded."""
    if not data_url.startswith(DATA_URL_PREFIX):
        raise ValidationError(UNREADABLE, code="signature_unreadable")
    encoded = data_url.removeprefix(DATA_URL_PREFIX)
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError("The signature is too large.", code="signature_too_large")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(UNREADABLE, code="signature_unreadable") from exc
    return _reencoded(io.BytesIO(raw), formats=frozenset({"PNG"}), drawn=True)


def signature_from_scan(upload: File[bytes]) -> ContentFile[bytes]:
    """A scan or photo of a signed paper form, checked and re-encoded."""
    if upload.size is None or upload.size > MAX_SIGNATURE_BYTES:
        raise ValidationError("A scan may be at most 5 MB.", code="signature_too_large")
    upload.seek(0)
    return _reencoded(cast(IO[bytes], upload), formats=SCAN_FORMATS, drawn=False)


def _reencoded(source: IO[bytes], *, formats: frozenset[str], drawn: bool) -> ContentFile[bytes]:
    try:
        with Image.open(source) as opened:
            if (opened.format or "") not in formats:
                raise ValidationError(UNREADABLE, code="signature_wrong_format")
            if opened.width * opened.height > MAX_SIGNATURE_PIXELS:
                raise ValidationError("The image is too large.", code="signature_too_large")
            opened.load()
            pixels = opened.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(UNREADABLE, code="signature_unreadable") from exc
    if drawn and pixels.getchannel("A").getbbox() is None:
        # A fully transparent canvas: nothing was drawn.
        raise ValidationError("Draw the signature first.", code="signature_blank")
    pixels.thumbnail((LONG_SIDE, LONG_SIDE))
    # A new image from the raw pixels carries no metadata of the upload.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    bare.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name="signature.png")
