"""Photos: only real JPEG/PNG/WebP images up to 5 MB, stored without their metadata at a
random path, and shown only through the access decision."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tandem.access.roles import Role
from tandem.audit.models import AuditEvent
from tandem.people.models import Person, PersonVersion
from tandem.people.photos import MAX_PHOTO_BYTES, photo_prepare
from tandem.people.services import person_photo_clear, person_photo_set
from tandem.people.tests.conftest import image_upload
from tests.factories import EnrollmentFactory, PersonFactory, add_totp, member

GPS_IFD = 0x8825
MAKE = 0x010F


def exif_with_position() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (47.0, 36.0, 22.0), 3: "W", 4: (122.0, 19.0, 55.0)}
    return exif


@pytest.fixture
def held(bridgeway, alice):
    person = PersonFactory(site=bridgeway.site, given_name="Rosa", family_name="Quintero")
    EnrollmentFactory(person=person, provider=bridgeway, case_manager=alice)
    return person


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_exif_and_gps_are_stripped(image_format):
    upload = image_upload(image_format, exif=exif_with_position())
    assert b"PhoneMaker" in upload.read()

    clean = photo_prepare(upload)

    data = clean.read()
    assert b"PhoneMaker" not in data
    assert b"Exif" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == image_format
        assert dict(stored.getexif()) == {}
        assert stored.size == (40, 30)


def test_a_sideways_phone_photo_is_stored_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    upload = image_upload(size=(40, 30), exif=exif)

    with Image.open(photo_prepare(upload)) as stored:
        assert stored.size == (30, 40)


def test_png_text_chunks_are_stripped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at 4th and Pine")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    upload = SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")

    data = photo_prepare(upload).read()

    assert b"4th and Pine" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.mode == "RGBA"


def test_a_large_photo_is_made_smaller():
    with Image.open(photo_prepare(image_upload(size=(3200, 2400)))) as stored:
        assert max(stored.size) == 1600


def test_a_file_that_is_not_an_image_is_refused():
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")

    with pytest.raises(ValidationError, match="not a photo that can be read"):
        photo_prepare(upload)


def test_a_truncated_image_is_refused():
    whole = image_upload(size=(200, 200)).read()
    upload = SimpleUploadedFile("photo.jpg", whole[: len(whole) // 2], content_type="image/jpeg")

    with pytest.raises(ValidationError, match="not a photo that can be read"):
        photo_prepare(upload)


def test_another_image_format_is_refused():
    upload = image_upload("GIF", name="photo.gif")

    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        photo_prepare(upload)


def test_a_photo_over_5_mb_is_refused():
    upload = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (MAX_PHOTO_BYTES - 1), content_type="image/jpeg"
    )

    with pytest.raises(ValidationError, match="at most 5 MB"):
        photo_prepare(upload)


def test_an_image_claiming_too_many_pixels_is_refused():
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")
    upload = SimpleUploadedFile("huge.png", out.getvalue(), content_type="image/png")

    with pytest.raises(ValidationError, match="too large in pixels"):
        photo_prepare(upload)


def test_setting_a_photo_stores_it_at_a_random_path_and_records_it(alice, held, media_root):
    person = person_photo_set(
        actor=alice, person=held, photo=image_upload(name="rosa-quintero.jpg")
    )

    name = person.photo.name or ""
    assert name.startswith("private/people/")
    assert name.endswith(".jpg")
    assert "rosa" not in name.lower()
    assert str(held.public_id) not in name
    assert len(name.removeprefix("private/people/").removesuffix(".jpg")) == 32
    assert (media_root / name).exists()
    assert PersonVersion.objects.get(person=held).snapshot["photo"] == name
    assert AuditEvent.objects.get(action="person.photo_set").actor_id == alice.pk


def test_clearing_a_photo_keeps_the_file_and_the_history(alice, held, media_root):
    person = person_photo_set(actor=alice, person=held, photo=image_upload())
    name = person.photo.name

    person_photo_clear(actor=alice, person=held, reason="Not her")

    held.refresh_from_db()
    assert not held.photo
    assert (media_root / name).exists()
    versions = list(PersonVersion.objects.filter(person=held).order_by("number"))
    assert [v.snapshot["photo"] for v in versions] == [name, ""]
    assert versions[-1].reason == "Not her"
    with pytest.raises(ValidationError, match="no photo"):
        person_photo_clear(actor=alice, person=held)


def test_a_refused_upload_changes_nothing(alice, held, media_root):
    bad = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")

    with pytest.raises(ValidationError):
        person_photo_set(actor=alice, person=held, photo=bad)

    held.refresh_from_db()
    assert not held.photo
    assert not PersonVersion.objects.filter(person=held).exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


# The pages -------------------------------------------------------------------------------


def test_case_manager_uploads_a_photo_and_sees_it(login, alice, held):
    client = login(alice)

    uploaded = client.post(
        f"/people/{held.public_id}/photo/upload/",
        {"photo": image_upload(exif=exif_with_position()), "reason": "Taken at intake"},
    )
    shown = client.get(f"/people/{held.public_id}/photo/")

    assert uploaded.status_code == 302
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in shown.content
    held.refresh_from_db()
    assert held.photo.name not in shown.get("Content-Disposition", "")
    assert "no-store" in shown["Cache-Control"]
    event = AuditEvent.objects.get(action="person.photo_viewed")
    assert event.actor_id == alice.pk
    assert event.category == "identity"


def test_an_upload_that_is_not_a_photo_is_shown_again_with_the_reason(login, alice, held):
    client = login(alice)

    response = client.post(
        f"/people/{held.public_id}/photo/upload/",
        {"photo": SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")},
    )

    assert response.status_code == 200
    assert "not a photo that can be read" in response.text
    held.refresh_from_db()
    assert not held.photo


def test_the_photo_can_be_removed_from_the_edit_page(login, alice, held):
    person_photo_set(actor=alice, person=held, photo=image_upload())
    client = login(alice)

    response = client.post(f"/people/{held.public_id}/photo/remove/")

    assert response.status_code == 302
    held.refresh_from_db()
    assert not held.photo
    assert client.get(f"/people/{held.public_id}/photo/").status_code == 404


@pytest.fixture
def with_photo(alice, held):
    return person_photo_set(actor=alice, person=held, photo=image_upload())


def test_police_officer_gets_404_for_the_photo(login, bob, with_photo):
    client = login(bob)

    response = client.get(f"/people/{with_photo.public_id}/photo/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="person.photo_viewed").exists()
    assert AuditEvent.objects.filter(action="person.view_refused", actor_id=bob.pk).exists()


def test_case_manager_of_another_site_gets_404_for_the_photo(login, charlie, with_photo):
    client = login(charlie)

    response = client.get(f"/people/{with_photo.public_id}/photo/")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="person.photo_viewed").exists()


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SITE_ADMIN, Role.PROSECUTOR])
def test_roles_without_identity_access_get_404_for_the_photo(login, site_a, with_photo, role):
    user = member(role, site=site_a)
    add_totp(user)
    client = login(user)

    assert client.get(f"/people/{with_photo.public_id}/photo/").status_code == 404


def test_a_project_manager_sees_the_photo(login, ruth, with_photo):
    client = login(ruth)

    assert client.get(f"/people/{with_photo.public_id}/photo/").status_code == 200


def test_the_photo_is_not_reachable_under_media_or_static_urls(client, login, alice, with_photo):
    login(alice)
    name = Person.objects.get(pk=with_photo.pk).photo.name or ""

    for prefix in ("/", "/media/", "/static/"):
        assert client.get(prefix + name).status_code == 404


def test_photo_view_query_budget(login, alice, with_photo, django_assert_max_num_queries):
    client = login(alice)
    client.get("/")

    with django_assert_max_num_queries(12):
        response = client.get(f"/people/{with_photo.public_id}/photo/")

    assert response.status_code == 200
