"""The policy pages by role: the site administrator adopts versions; the project manager and
the PCG read them; everyone else, and anyone from another site, gets 404."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.policy.forms import PolicyVersionForm
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import PolicyRules
from tandem.policy.tests.conftest import TODAY
from tandem.policy.tests.factories import (
    PolicyVersionFactory,
    pdf_bytes,
    pdf_upload,
    sample_rules,
)
from tests.factories import sign_in

LIST = reverse("policy:list")
CREATE = reverse("policy:create")


def detail(version: PolicyVersion) -> str:
    return reverse("policy:detail", args=[version.public_id])


def document(version: PolicyVersion) -> str:
    return reverse("policy:document", args=[version.public_id])


def form_data(rules: PolicyRules | None = None, **overrides: Any) -> dict[str, Any]:
    """What the administrator would submit for `rules`, as the browser sends it."""
    initial = PolicyVersionForm.initial_from(rules or sample_rules(), effective_from=TODAY)
    data: dict[str, Any] = {}
    for name, value in initial.items():
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    data.update(
        pcg_decided_on=(TODAY - dt.timedelta(days=3)).isoformat(),
        pcg_reference="PCG minutes 2026-11-24, item 5",
        note="",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def versions(site_a):
    """Version 1 superseded, version 2 in force, version 3 scheduled."""
    return [
        PolicyVersionFactory(site=site_a, effective_from=TODAY - dt.timedelta(days=400)),
        PolicyVersionFactory(
            site=site_a,
            effective_from=TODAY - dt.timedelta(days=30),
            rules=sample_rules(minimum_age=21).to_dict(),
            with_document=True,
        ),
        PolicyVersionFactory(site=site_a, effective_from=TODAY + dt.timedelta(days=30)),
    ]


# Who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["admin", "ruth", "pat"])
def test_the_administrator_the_project_manager_and_the_pcg_read_the_policy(
    client, request, versions, reader
):
    sign_in(client, request.getfixturevalue(reader))

    assert client.get(LIST).status_code == 200
    assert client.get(detail(versions[1])).status_code == 200
    response = client.get(document(versions[1]))
    assert response.status_code == 200
    assert b"".join(response) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("outsider", ["alice", "bob", "charlie", "other_admin"])
def test_everyone_else_gets_404_on_every_policy_page(client, request, versions, outsider):
    sign_in(client, request.getfixturevalue(outsider))

    urls = [detail(versions[1]), document(versions[1])]
    if outsider != "other_admin":
        # Another site's administrator keeps their own site's policy; none of site A's.
        urls += [LIST, CREATE]
        assert client.post(CREATE, form_data()).status_code == 404
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert PolicyVersion.objects.count() == 3


@pytest.mark.parametrize("reader", ["ruth", "pat"])
def test_readers_cannot_adopt_a_version(client, request, versions, reader):
    sign_in(client, request.getfixturevalue(reader))

    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, form_data()).status_code == 404
    assert PolicyVersion.objects.count() == 3
    assert CREATE not in client.get(LIST).text


def test_another_sites_administrator_sees_only_their_own_sites_versions(
    client, other_admin, versions, site_b
):
    own = PolicyVersionFactory(site=site_b)
    sign_in(client, other_admin)

    response = client.get(LIST)

    assert [row.version for row in response.context["rows"]] == [own]


def test_a_version_without_a_document_has_no_download(client, admin, versions):
    sign_in(client, admin)

    assert client.get(document(versions[0])).status_code == 404
    assert document(versions[0]) not in client.get(detail(versions[0])).text
    assert document(versions[1]) in client.get(detail(versions[1])).text


def test_the_navigation_shows_policy_to_its_readers_only(client, admin, alice):
    sign_in(client, admin)
    assert f'href="{LIST}"' in client.get(reverse("core:home")).text

    sign_in(client, alice)
    assert f'href="{LIST}"' not in client.get(reverse("core:home")).text


# What the pages say -----------------------------------------------------------------------


def test_the_list_marks_which_version_is_in_force_scheduled_or_superseded(client, ruth, versions):
    sign_in(client, ruth)

    response = client.get(LIST)

    statuses = {row.version.number: row.status_label for row in response.context["rows"]}
    assert statuses == {1: "Superseded", 2: "In force", 3: "Scheduled"}
    assert [row.version.number for row in response.context["rows"]] == [3, 2, 1]
    assert "Takes effect 27 December 2026" in response.text


def test_a_version_says_in_plain_words_what_changed_and_what_the_pcg_decided(client, pat, versions):
    sign_in(client, pat)

    response = client.get(detail(versions[1]))

    text = response.text
    assert "What changed from version 1" in text
    assert "Minimum age changed from 18 to 21." in text
    assert "Theft under $750 (RCW 9A.56.050, property)" in text
    assert versions[1].pcg_reference in text
    assert "In force" in text
    assert "Departure from the LEAD model" not in text


def test_a_policy_that_ends_participation_for_nonparticipation_is_flagged(client, admin, site_a):
    version = PolicyVersionFactory(
        site=site_a,
        rules=sample_rules(ends_participation_for_nonparticipation=True).to_dict(),
    )
    sign_in(client, admin)

    text = client.get(detail(version)).text

    assert "Departure from the LEAD model" in text
    assert "The site&#x27;s first policy version." in text


def test_a_site_without_a_policy_is_told_the_defaults_apply(client, admin):
    sign_in(client, admin)

    response = client.get(LIST)

    assert "The site has adopted no policy yet" in response.text


# Adopting through the form ----------------------------------------------------------------


def test_the_form_starts_from_the_newest_version(client, admin, versions):
    sign_in(client, admin)

    response = client.get(CREATE)

    form = response.context["form"]
    newest = versions[2].policy_rules
    assert form.initial["eligible_offences"].splitlines()[0] == (
        "RCW 69.50.4013 | Possession of a controlled substance | drug"
    )
    assert (
        form.initial["quantity_limits"]
        == "heroin | powder | 3\nheroin | tar | 2.5\ncocaine | any | 3"
    )
    assert form.initial["approver_roles"] == list(newest.approver_roles)
    assert form.initial["effective_from"] == versions[2].effective_from
    assert "RCW 69.50.4013 | Possession of a controlled substance | drug" in response.text


def test_the_form_starts_from_the_defaults_at_a_site_without_a_policy(client, admin):
    sign_in(client, admin)

    form = client.get(CREATE).context["form"]

    assert form.initial["eligible_offences"] == ""
    assert form.initial["caseload_cap"] == 25
    assert form.initial["effective_from"] == TODAY


def test_the_administrator_adopts_a_version_with_its_document(client, admin, site_a):
    sign_in(client, admin)

    response = client.post(CREATE, form_data(pcg_document=pdf_upload()))

    version = PolicyVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(version)
    assert version.site == site_a
    assert version.policy_rules == sample_rules()
    assert version.pcg_reference == "PCG minutes 2026-11-24, item 5"
    assert version.pcg_document
    assert AuditEvent.objects.filter(
        action="policy.version_adopted", actor_id=admin.pk, target_id=str(version.public_id)
    ).exists()
    page = client.get(response["Location"])
    assert "Version 1 of the policy is adopted." in page.text


def test_a_bad_line_is_named_nothing_is_created_and_everything_typed_is_kept(client, admin):
    sign_in(client, admin)
    typed = "heroin | powder | 3\ncocaine | any | 2\nmethamphetamine | any | three"

    response = client.post(
        CREATE,
        form_data(
            quantity_limits=typed,
            pcg_reference="PCG minutes 2026-11-24, item 7",
            note="Typed note",
            minimum_age="19",
            referrers_community=["community", "project_manager"],
        ),
    )

    assert response.status_code == 200
    assert "Line 3: the quantity &#x27;three&#x27; is not a number." in response.text
    assert "Nothing was saved." in response.text
    assert PolicyVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(action="policy.version_adopted").exists()
    form = response.context["form"]
    assert form["quantity_limits"].value() == typed
    assert "methamphetamine | any | three</textarea>" in response.text
    assert 'value="PCG minutes 2026-11-24, item 7"' in response.text
    assert "Typed note</textarea>" in response.text
    assert re.search(r'name="minimum_age" value="19"', response.text)
    checked = re.findall(
        r'name="referrers_community" value="(\w+)" id="[^"]+" checked', response.text
    )
    assert checked == ["community", "project_manager"]


def test_errors_in_several_lists_are_all_named(client, admin):
    sign_in(client, admin)

    response = client.post(
        CREATE,
        form_data(
            eligible_offences="RCW 1 | One | drug\nRCW 2 | Two",
            disqualifying_history="burglary | Burglary | ten",
        ),
    )

    errors = response.context["form"].errors
    assert errors["eligible_offences"] == [
        "Line 2: write the code, the label and the category, separated by “|” (found 2 parts)."
    ]
    assert errors["disqualifying_history"] == [
        "Line 1: the look-back 'ten' is not a whole number of years."
    ]
    assert PolicyVersion.objects.count() == 0


def test_a_rule_across_fields_is_explained(client, admin):
    sign_in(client, admin)

    response = client.post(CREATE, form_data(caseload_warn="30", caseload_cap="25"))

    assert response.context["form"].non_field_errors() == [
        "The caseload warning (30) must not be above the cap (25)."
    ]
    assert PolicyVersion.objects.count() == 0


def test_a_version_dated_before_the_one_in_force_is_refused_on_the_form(client, admin, site_a):
    PolicyVersionFactory(site=site_a, effective_from=TODAY - dt.timedelta(days=10))
    sign_in(client, admin)

    response = client.post(
        CREATE,
        form_data(
            effective_from=(TODAY - dt.timedelta(days=20)).isoformat(),
            pcg_decided_on=(TODAY - dt.timedelta(days=25)).isoformat(),
        ),
    )

    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["effective_from"][0]
        .startswith("Version 1 is in force from 2026-11-17")
    )
    assert PolicyVersion.objects.count() == 1


def test_a_document_that_is_not_a_pdf_is_refused_and_must_be_chosen_again(client, admin):
    sign_in(client, admin)
    fake = SimpleUploadedFile("decision.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")

    response = client.post(CREATE, form_data(pcg_document=fake))

    assert response.context["form"].errors["pcg_document"] == ["The document must be a PDF file."]
    assert "Choose the PCG decision document again" in response.text
    assert PolicyVersion.objects.count() == 0


def test_closing_a_door_and_naming_approvers_through_the_form(client, admin):
    sign_in(client, admin)
    data = form_data(approver_roles=["prosecutor"])
    del data["referrers_community"]

    client.post(CREATE, data)

    rules = PolicyVersion.objects.get().policy_rules
    assert rules.referrers["community"] == ()
    assert rules.approver_roles == ("prosecutor",)


# Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_the_policy_pages_run_a_bounded_number_of_queries(
    client, admin, site_a, count, django_assert_max_num_queries
):
    start = TODAY - dt.timedelta(days=count * 10)
    made = [
        PolicyVersionFactory(
            site=site_a,
            effective_from=start + dt.timedelta(days=index * 10),
            with_document=index == count - 1,
        )
        for index in range(count)
    ]
    sign_in(client, admin)

    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert len(response.context["rows"]) == count
    with django_assert_max_num_queries(12):
        assert client.get(detail(made[-1])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(document(made[-1])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(CREATE).status_code == 200
