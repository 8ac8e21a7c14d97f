"""Reads of a site's policy. `policy_in_force`, `policy_rules_in_force` and `site_rules`
(the same, cached per process) serve the engine (referrals, casework, deadlines) and take a
site id; the page reads take the viewer and answer OutOfScope (404) for a version of another
site or a viewer without the right."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import IO, cast

from django.utils import timezone

from tandem.access.decisions import Capability, can
from tandem.access.errors import OutOfScope
from tandem.access.viewer import Viewer
from tandem.policy.models import PolicyVersion
from tandem.policy.rules import PolicyRules
from tandem.policy.wording import Section, changes, describe


def policy_in_force(site_id: int, on: date) -> PolicyVersion | None:
    """The version in force at the site on `on`: the latest effective date on or before
    it, the higher number on a tie. None when the site had adopted none by then."""
    return (
        PolicyVersion.objects.filter(site_id=site_id, effective_from__lte=on)
        .order_by("-effective_from", "-number")
        .first()
    )


def policy_rules_in_force(site_id: int, on: date) -> PolicyRules:
    """The rules in force on `on`, or PolicyRules.default() when the site has none."""
    version = policy_in_force(site_id, on)
    return version.policy_rules if version is not None else PolicyRules.default()


# The rules in force, per (site, day), kept for a minute: a page asks several times (the
# doors a viewer may use, who approves) and versions never change once written. A new
# version clears this process's copy at once (see `forget_site_rules`, connected in
# PolicyConfig.ready); other processes see it within RULES_TTL seconds.
RULES_TTL = 60.0
_rules_cache: dict[tuple[int, date], tuple[float, PolicyRules, int | None]] = {}


def site_rules(site_id: int, on: date) -> tuple[PolicyRules, int | None]:
    """The rules in force at a site on a day and their version (the built-in defaults,
    version None, for a site that has adopted none)."""
    now = time.monotonic()
    hit = _rules_cache.get((site_id, on))
    if hit is not None and now - hit[0] < RULES_TTL:
        return hit[1], hit[2]
    version = policy_in_force(site_id, on)
    if version is None:
        rules, version_id = PolicyRules.default(), None
    else:
        rules, version_id = version.policy_rules, version.pk
    _rules_cache[(site_id, on)] = (now, rules, version_id)
    return rules, version_id


def forget_site_rules(**_: object) -> None:
    """Drop this process's cached rules (a signal receiver: takes any keyword)."""
    _rules_cache.clear()


class Status:
    IN_FORCE = "in_force"
    SCHEDULED = "scheduled"
    SUPERSEDED = "superseded"

    LABELS = {IN_FORCE: "In force", SCHEDULED: "Scheduled", SUPERSEDED: "Superseded"}


@dataclass(frozen=True, slots=True)
class PolicyVersionRow:
    version: PolicyVersion
    status: str

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]


def policy_versions(viewer: Viewer, *, today: date | None = None) -> list[PolicyVersionRow]:
    """Every version of the viewer's site, newest first, each marked in force today,
    scheduled (takes effect later) or superseded. One query."""
    _require(viewer)
    today = today or timezone.localdate()
    versions = list(
        PolicyVersion.objects.filter(site_id=viewer.site_id)
        .select_related("created_by")
        .order_by("-effective_from", "-number")
    )
    in_force = next((v for v in versions if v.effective_from <= today), None)
    return [PolicyVersionRow(version=v, status=_status(v, in_force, today)) for v in versions]


@dataclass(frozen=True, slots=True)
class PolicyVersionPage:
    """One version as its page shows it: the policy in plain words, what changed from the
    version before, and its place among the others."""

    version: PolicyVersion
    previous: PolicyVersion | None
    status: str
    sections: list[Section]
    changes: list[str]

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def rules(self) -> PolicyRules:
        return self.version.policy_rules


def policy_version_get(viewer: Viewer, public_id: uuid.UUID) -> PolicyVersion:
    """One version of the viewer's site; OutOfScope (a 404) for any other."""
    _require(viewer)
    try:
        return PolicyVersion.objects.select_related("created_by").get(
            site_id=viewer.site_id, public_id=public_id
        )
    except PolicyVersion.DoesNotExist:
        raise OutOfScope("No such policy version.") from None


def policy_version_page(
    viewer: Viewer, public_id: uuid.UUID, *, today: date | None = None
) -> PolicyVersionPage:
    """The version, the one before it (by number) and the one in force today: two queries."""
    version = policy_version_get(viewer, public_id)
    today = today or timezone.localdate()
    previous = (
        PolicyVersion.objects.filter(site_id=viewer.site_id, number=version.number - 1).first()
        if version.number > 1
        else None
    )
    in_force = policy_in_force(viewer.site_id, today)
    return PolicyVersionPage(
        version=version,
        previous=previous,
        status=_status(version, in_force, today),
        sections=describe(version.policy_rules),
        changes=changes(previous.policy_rules if previous else None, version.policy_rules),
    )


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    content: IO[bytes]
    filename: str


def policy_document_get(viewer: Viewer, public_id: uuid.UUID) -> PolicyDocument:
    """The PCG decision's document of a version the viewer may read; OutOfScope when there
    is none."""
    version = policy_version_get(viewer, public_id)
    if not version.pcg_document:
        raise OutOfScope("This version has no document.")
    try:
        content = version.pcg_document.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise OutOfScope("No such document.") from exc
    return PolicyDocument(
        content=cast(IO[bytes], content), filename=f"policy-v{version.number}-pcg-decision.pdf"
    )


def newest_policy_version(site_id: int) -> PolicyVersion | None:
    """The site's highest-numbered version: the one in force, or a scheduled one."""
    return PolicyVersion.objects.filter(site_id=site_id).order_by("-number").first()


def _require(viewer: Viewer) -> None:
    if not can(viewer, Capability.VIEW_POLICY):
        raise OutOfScope("No such page.")


def _status(version: PolicyVersion, in_force: PolicyVersion | None, today: date) -> str:
    if version.effective_from > today:
        return Status.SCHEDULED
    if in_force is not None and version.pk == in_force.pk:
        return Status.IN_FORCE
    return Status.SUPERSEDED
