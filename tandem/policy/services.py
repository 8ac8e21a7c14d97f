"""Writes of a site's policy: adopting a new version. Validates everything first; on any
error raises ValidationError keyed by field and writes nothing. Versions are never edited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.services import audit_record
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import Evaluation, Facts, PolicyRules, evaluate
from tandem.policy.wording import changes
from tandem.tenancy.models import Site

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


@transaction.atomic
def policy_version_create(
    *,
    actor: User | None,
    site: Site,
    rules: PolicyRules,
    effective_from: date,
    pcg_decided_on: date,
    pcg_reference: str,
    pcg_document: File[bytes] | None = None,
    note: str = "",
) -> PolicyVersion:
    """Adopt `rules` as the site's next version, in force from `effective_from`.

    History cannot be rewritten: the new version may not take effect before the version in
    force today (nor before one already scheduled, which would otherwise overtake it on
    its date). Later dates are allowed. The PCG decision must already have been made, and
    on or before the day the version takes effect."""
    # Lock the site so that two administrators cannot both take the next number, or both
    # check the dates against the same latest version.
    site = Site.objects.select_for_update().get(pk=site.pk)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    try:
        stored = rules.to_dict()
        PolicyRules.from_dict(stored)
    except (ValueError, TypeError) as error:
        errors.setdefault("rules", []).append(str(error))
    reference = pcg_reference.strip()
    if not reference:
        errors.setdefault("pcg_reference", []).append(
            "Give the PCG decision's reference, e.g. “PCG minutes 2026-03-04, item 5”."
        )
    elif len(reference) > 300:
        errors.setdefault("pcg_reference", []).append(
            "The reference may be at most 300 characters."
        )
    if pcg_decided_on > today:
        errors.setdefault("pcg_decided_on", []).append(
            f"The PCG decision date ({pcg_decided_on.isoformat()}) is in the future: record "
            "a decision once it has been made."
        )
    elif pcg_decided_on > effective_from:
        errors.setdefault("effective_from", []).append(
            f"The policy cannot take effect ({effective_from.isoformat()}) before the PCG "
            f"adopted it ({pcg_decided_on.isoformat()})."
        )
    latest = PolicyVersion.objects.filter(site=site).order_by("-effective_from", "-number").first()
    if latest is not None and effective_from < latest.effective_from:
        if latest.effective_from <= today:
            message = (
                f"Version {latest.number} is in force from {latest.effective_from.isoformat()}: "
                "a new version cannot take effect before that date, which would rewrite the "
                "policy that decisions were made under."
            )
        else:
            message = (
                f"Version {latest.number} is scheduled to take effect on "
                f"{latest.effective_from.isoformat()}: a new version cannot take effect "
                "before it."
            )
        errors.setdefault("effective_from", []).append(message)
    if pcg_document is not None:
        _check_pdf(pcg_document, errors)
    if errors:
        raise ValidationError(errors)
    newest = PolicyVersion.objects.filter(site=site).order_by("-number").first()
    number = (PolicyVersion.objects.filter(site=site).aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion(
        site=site,
        number=number,
        effective_from=effective_from,
        rules=stored,
        pcg_decided_on=pcg_decided_on,
        pcg_reference=reference,
        note=note.strip(),
        created_by=actor,
    )
    if pcg_document is not None:
        pcg_document.seek(0)
        version.pcg_document.save("decision.pdf", pcg_document, save=False)
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        site=site,
        action="policy.version_adopted",
        target=version,
        detail={
            "number": number,
            "effective_from": effective_from.isoformat(),
            "pcg_decided_on": pcg_decided_on.isoformat(),
            "pcg_reference": reference,
            "document": bool(version.pcg_document),
            "changes": changes(newest.policy_rules if newest else None, rules),
        },
    )
    return version


def replay(version: PolicyVersion, facts: Facts) -> Evaluation:
    """The evaluation `facts` get under `version`'s own rules, whatever is in force now."""
    return evaluate(version.policy_rules, facts)


def _check_pdf(document: File[bytes], errors: dict[str, list[str]]) -> None:
    size = document.size
    if size is None or size > MAX_DOCUMENT_BYTES:
        errors.setdefault("pcg_document", []).append("The document may be at most 10 MB.")
        return
    document.seek(0)
    head = document.read(len(PDF_MAGIC))
    document.seek(0)
    # The content decides, not the name or the browser's claim: a PDF starts "%PDF-".
    if head != PDF_MAGIC:
        errors.setdefault("pcg_document", []).append("The document must be a PDF file.")
