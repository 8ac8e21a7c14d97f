"""Password rules after NIST SP 800-63B §3.1.1.2: length and a screen of guessable
passwords, never composition rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.password_validation import validate_password as django_validate
from django.core.exceptions import ValidationError

from tandem.accounts.models import User
from tests.factories import PASSWORD


def rejection_codes(password: str, user: User | None = None) -> set[str]:
    """The codes of every rule `password` breaks; empty when it is accepted."""
    try:
        django_validate(password, user=user)
    except ValidationError as error:
        return {e.code for e in error.error_list if e.code}
    return set()


def rejection_messages(password: str) -> list[str]:
    try:
        django_validate(password)
    except ValidationError as error:
        return list(error.messages)
    return []


def test_a_password_shorter_than_12_characters_is_rejected():
    assert rejection_codes("violet-tide") == {"password_too_short"}
    assert "at least 12 characters" in rejection_messages("violet-tide")[0]


def test_twelve_characters_are_enough():
    assert rejection_codes("violet-tides") == set()


@pytest.mark.parametrize(
    "password", ["password1234", "1q2w3e4r5t6y", "qwerty123456", "123qweasdzxc", "QAZWSXEDCRFV"]
)
def test_a_common_password_from_breaches_is_rejected(password):
    assert "password_too_common" in rejection_codes(password)


@pytest.mark.parametrize(
    "password",
    ["Tandem2024!!", "tandem-tandem", "LEAD-diversion-1", "Welcome12345", "p@ss-police-1"],
)
def test_a_password_built_around_a_context_word_is_rejected(password):
    codes = rejection_codes(password)

    assert "password_context_word" in codes
    assert any("a word attackers try first" in m for m in rejection_messages(password))


def test_a_context_word_inside_a_long_passphrase_is_fine():
    assert rejection_codes("our tandem bicycle needs new brake pads") == set()


def test_a_long_passphrase_with_spaces_is_accepted():
    assert rejection_codes("correct horse battery staple") == set()


def test_no_composition_rule_applies():
    # All lower case, no digit, no symbol: 800-63B forbids asking for more.
    assert rejection_codes("riverbankgulls") == set()
    assert rejection_codes("quietmorningsun!") == set()
    assert rejection_codes("abcdefghjkmnpqrs") == set()


@pytest.mark.django_db
def test_a_password_like_the_username_is_rejected():
    user = User(username="marisol.hernandez", first_name="Marisol", last_name="Hernandez")

    assert "password_too_similar" in rejection_codes("marisol.hernandez", user=user)


def test_long_passwords_up_to_256_characters_are_accepted_and_longer_ones_are_not():
    passphrase = "slow river under the old stone bridge "

    assert rejection_codes((passphrase * 7)[:256]) == set()
    assert rejection_codes((passphrase * 7)[:257]) == {"password_too_long"}


def test_the_rules_are_explained_to_the_user():
    help_texts = " ".join(password_validators_help_texts())

    assert "at least 12 characters" in help_texts
    assert "spaces are allowed" in help_texts


def test_changing_to_a_weak_password_is_refused_with_a_reason(login, alice):
    client = login(alice)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "tandem2026", "password2": "tandem2026"},
    )

    assert response.status_code == 200
    assert "at least 12 characters" in response.text
    assert "a word attackers try first" in response.text
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_changing_to_a_long_passphrase_works(login, alice):
    client = login(alice)
    passphrase = "gulls over the harbor at dawn"

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": passphrase, "password2": passphrase},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(passphrase)


def test_changing_the_password_is_audited(login, alice):
    from tandem.audit.models import AuditEvent
    from tests.factories import PASSWORD

    client = login(alice)

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a quiet harbour at dawn",
            "password2": "a quiet harbour at dawn",
        },
    )

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=alice).exists()


def test_creating_a_user_with_a_weak_password_changes_nothing(db):
    from django.core.exceptions import ValidationError

    from tandem.accounts.models import User
    from tandem.accounts.services import user_create

    with pytest.raises(ValidationError):
        user_create(actor=None, username="newbie", password="tandem2026")

    assert not User.objects.filter(username="newbie").exists()


def test_a_created_user_is_audited(db):
    from tandem.accounts.services import user_create
    from tandem.audit.models import AuditEvent

    user = user_create(actor=None, username="newbie", password="a quiet harbour at dawn")

    assert user.check_password("a quiet harbour at dawn")
    assert AuditEvent.objects.filter(action="user.created", target_id=str(user.public_id)).exists()


def test_the_database_refuses_two_usernames_that_differ_only_by_case(db):
    from django.db import IntegrityError, transaction

    from tandem.accounts.models import User

    User.objects.create(username="bob")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Bob")
