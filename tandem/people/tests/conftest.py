"""Shared scene for the people tests: a project manager (ruth) works at site A beside alice
and bob. Photos go to a temporary MEDIA_ROOT (the root conftest.py sees to it)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tandem.access.roles import Role
from tests.factories import add_totp, member


@pytest.fixture
def ruth(site_a):
    """Project manager at site A: reviews duplicates."""
    user = member(Role.PROJECT_MANAGER, site=site_a, username="ruth")
    add_totp(user)
    return user


def image_upload(
    image_format: str = "JPEG",
    *,
    size: tuple[int, int] = (40, 30),
    name: str = "photo.jpg",
    exif: Image.Exif | None = None,
) -> SimpleUploadedFile:
    """A small real image, as the browser would upload it."""
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    params = {"exif": exif} if exif is not None else {}
    image.save(out, image_format, **params)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        image_format, "application/octet-stream"
    )
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)
