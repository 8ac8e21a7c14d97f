"""Receipts: checked by their first bytes and size, stored privately, served only through
the access-checked view, every read audited."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tandem.audit.models import AuditEvent
from tandem.casework.support import services
from tandem.casework.support.models import Expense
from tandem.casework.support.receipts import MAX_RECEIPT_BYTES
from tandem.casework.support.tests.factories import enrolled_person, funding_source, viewer_of
from tests.factories import sign_in


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 200, 200)).save(out, "PNG")
    return out.getvalue()


def spend_with(scene, receipt):
    user = scene["case_manager"]
    return services.expense_record(
        actor=user,
        viewer=viewer_of(user),
        person=enrolled_person(scene),
        funding_source=funding_source(scene),
        category="food",
        amount=Decimal("12.50"),
        vendor="Corner grocery",
        spent_on=timezone.localdate(),
        receipt=receipt,
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("r.png", png(), "image/png"),
        ("r.pdf", b"%PDF-1.7\n1 0 obj\n%%EOF", "application/pdf"),
        ("r.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
    ],
)
def test_a_receipt_is_known_by_its_first_bytes(scene, name, data, content_type):
    expense = spend_with(scene, SimpleUploadedFile(name, data, content_type="text/plain"))

    assert expense.receipt_content_type == content_type
    assert expense.receipt.name.startswith("private/receipts/")
    assert name not in expense.receipt.name


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("r.pdf", b"<html><script>alert(1)</script>"), "photo of the receipt"),
        (SimpleUploadedFile("r.png", b""), "empty"),
        (SimpleUploadedFile("r.pdf", b"%PDF-" + b"0" * MAX_RECEIPT_BYTES), "at most 5 MB"),
    ],
)
def test_anything_else_is_refused_and_nothing_is_written(scene, upload, message):
    with pytest.raises(ValidationError) as refused:
        spend_with(scene, upload)

    assert message in refused.value.message_dict["receipt"][0]
    assert not Expense.objects.exists()


def test_the_receipt_is_served_only_to_the_holding_team_and_audited(client, scene):
    expense = spend_with(scene, SimpleUploadedFile("r.png", png()))
    url = reverse("casework_support:receipt", args=[expense.public_id])

    for outsider in ["other_case_manager", "project_manager", "officer", "prosecutor"]:
        sign_in(client, scene[outsider])
        assert client.get(url).status_code == 404
    sign_in(client, scene["case_manager"])
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response.content == png()
    assert AuditEvent.objects.filter(action="expense.receipt_viewed").count() == 1


def test_the_expense_form_takes_a_receipt_and_keeps_typed_input_on_error(client, scene):
    person = enrolled_person(scene)
    source = funding_source(scene)
    sign_in(client, scene["case_manager"])
    url = reverse("casework_support:expenses", args=[person.public_id])
    data = {
        "funding_source": str(source.public_id),
        "category": "food",
        "amount": "12.50",
        "vendor": "Corner grocery",
        "spent_on": timezone.localdate().isoformat(),
        "description": "Groceries for the week",
    }

    bad = client.post(url, {**data, "receipt": SimpleUploadedFile("r.exe", b"MZ\x90\x00")})
    assert bad.status_code == 400
    assert "Groceries for the week" in bad.content.decode()
    assert "photo of the receipt" in bad.content.decode()
    assert not Expense.objects.exists()

    good = client.post(url, {**data, "receipt": SimpleUploadedFile("r.png", png())})
    assert good.status_code == 302
    assert Expense.objects.get().receipt_content_type == "image/png"
