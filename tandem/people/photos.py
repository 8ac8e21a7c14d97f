"""Photos of people. An upload is checked with Pillow and re-encoded from its pixels alone,
so that no metadata it carried (EXIF, GPS position, camera serial, comments) is stored; the
stored file sits under MEDIA_ROOT at a random path that no URL serves. The photo view asks
the access decision for the person's identity and audits every read."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, cast

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from PIL import Image, ImageOps, UnidentifiedImageError

from tandem.access.decisions import Subject, decide
from tandem.access.errors import OutOfScope
from tandem.access.roles import Category, Purpose
from tandem.access.viewer import Viewer
from tandem.audit.services import audit_read
from tandem.people.selectors import people_in_scope

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Refused before decoding: a small file can claim an enormous canvas (a "decompression bomb").
MAX_PHOTO_PIXELS = 40_000_000
# Enough to recognise a face on any screen; a smaller file also loads on a bad connection.
LONG_SIDE = 1600

# Pillow's format name -> (file suffix, content type).
PHOTO_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(PHOTO_FORMATS.values())

UNREADABLE = "The file is not a photo that can be read. Upload a JPEG, PNG or WebP image."


def photo_prepare(upload: File[bytes]) -> ContentFile[bytes]:
    """A clean copy of an uploaded photo, or a ValidationError saying what is wrong. Only
    JPEG, PNG and WebP up to 5 MB are taken; the copy keeps the pixels (turned upright, as
    the camera meant) and nothing else."""
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationError("A photo may be at most 5 MB.", code="photo_too_large")
    upload.seek(0)
    try:
        with Image.open(cast(IO[bytes], upload)) as opened:
            image_format = opened.format or ""
            if image_format not in PHOTO_FORMATS:
                raise ValidationError(
                    "Upload a JPEG, PNG or WebP photo.", code="photo_wrong_format"
                )
            if opened.width * opened.height > MAX_PHOTO_PIXELS:
                raise ValidationError(
                    "The photo is too large in pixels; take a smaller one.",
                    code="photo_too_many_pixels",
                )
            # Decoding every pixel finds a truncated or corrupt file now, not when viewed.
            opened.load()
            upright = ImageOps.exif_transpose(opened) or opened
            data, suffix = _reencoded(upright, image_format)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(UNREADABLE, code="photo_unreadable") from exc
    return ContentFile(data, name=f"photo.{suffix}")


def _reencoded(image: Image.Image, image_format: str) -> tuple[bytes, str]:
    keeps_alpha = image_format != "JPEG" and (
        image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    )
    pixels = image.convert("RGBA" if keeps_alpha else "RGB")
    pixels.thumbnail((LONG_SIDE, LONG_SIDE))
    # A new image from the raw pixels has an empty info dictionary, so no EXIF, XMP, ICC
    # profile or text chunk can be carried into the saved file by any encoder.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if image_format == "JPEG":
        bare.save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "WEBP", quality=85)
    return out.getvalue(), PHOTO_FORMATS[image_format][0]


@dataclass(frozen=True, slots=True)
class PhotoFile:
    content: IO[bytes]
    content_type: str


def person_photo_get(*, viewer: Viewer, public_id: uuid.UUID, purpose: Purpose) -> PhotoFile:
    """The current photo of a person, for a viewer who may see the person's identity.
    Anyone else, and a person without a photo, gets OutOfScope (404). The read is audited."""
    person = people_in_scope(viewer.site_id).filter(public_id=public_id).first()
    if person is None:
        raise OutOfScope("No such photo.")
    allowed = decide(
        viewer=viewer, person=cast(Subject, person), category=Category.IDENTITY, purpose=purpose
    )
    if not allowed:
        audit_read(
            viewer=viewer,
            action="person.view_refused",
            target=person,
            purpose=purpose,
            detail={"page": "photo"},
        )
        raise OutOfScope("No such photo.")
    if not person.photo:
        raise OutOfScope("No such photo.")
    suffix = PurePosixPath(person.photo.name or "").suffix.lstrip(".")
    try:
        content = person.photo.open("rb")
    except FileNotFoundError as exc:
        raise OutOfScope("No such photo.") from exc
    audit_read(
        viewer=viewer,
        action="person.photo_viewed",
        target=person,
        category=Category.IDENTITY,
        purpose=purpose,
    )
    return PhotoFile(
        content=cast(IO[bytes], content),
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
