from __future__ import annotations

import contextlib
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.access.decisions import Capability
from tandem.accounts.services import account_unlock, password_link_send, password_link_valid_for
from tandem.core.decorators import capability_required
from tandem.core.requests import AuthedRequest
from tandem.tenancy.forms import MemberAddForm
from tandem.tenancy.middleware import SESSION_SITE_KEY
from tandem.tenancy.models import Membership
from tandem.tenancy.selectors import member_list, membership_get
from tandem.tenancy.services import (
    member_add,
    member_added_notice,
    membership_set_active,
    site_switch,
)


@login_required
@require_http_methods(["GET", "POST"])
def site_choose(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    if request.method == "POST":
        wanted = request.POST.get("site", "")
        membership = next((m for m in req.memberships if str(m.site.public_id) == wanted), None)
        if membership is None:
            # A forged or foreign site id looks exactly like one that does not exist.
            raise Http404("No such site.")
        site_switch(actor=req.user, membership=membership, previous=req.membership)
        request.session[SESSION_SITE_KEY] = str(membership.site.public_id)
        return redirect("core:home")
    return render(request, "tenancy/site_choose.html", {"memberships": req.memberships})


def _membership_or_404(request: HttpRequest, public_id: uuid.UUID) -> Membership:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    membership = membership_get(viewer=req.viewer, public_id=public_id)
    if membership is None:
        # Another site's membership looks exactly like one that does not exist.
        raise Http404("No such member.")
    return membership


def _show_errors(form: MemberAddForm, error: ValidationError) -> None:
    """Put a service's refusal next to the field it is about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _send_password_link(request: HttpRequest, membership: Membership, *, done: str) -> None:
    req = AuthedRequest.cast(request)
    user = membership.user
    done = f"{done} " if done else ""
    try:
        password_link_send(actor=req.user, user=user, site=membership.site, request=request)
    except ValidationError as error:
        messages.error(request, done + " ".join(error.messages))
    except OSError:
        # The mail server refused or could not be reached (smtplib errors are OSErrors).
        messages.warning(
            request,
            f"{done}The e-mail with the link to set a password could not be sent; "
            "use “Send the link again” once mail works.",
        )
    else:
        messages.success(
            request,
            f"{done}A link to set a password was sent to {user.email}; "
            f"it works for {password_link_valid_for()}.",
        )


@capability_required(Capability.MANAGE_SITE)
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    form = MemberAddForm(
        request.POST if request.method == "POST" else None, site_id=req.viewer.site_id
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = member_add(
                actor=req.user,
                organization=data["organization"],
                role=data["role"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            # The account and membership are committed; the mails follow them.
            _send_password_link(
                request,
                membership,
                done=f"{membership.user} was added: {membership.get_role_display()}, "
                f"{membership.organization}.",
            )
            with contextlib.suppress(OSError):
                # A watcher's notice that cannot be sent must not undo the addition.
                member_added_notice(actor=req.user, membership=membership)
            return redirect("tenancy:members")
    return render(
        request,
        "tenancy/members.html",
        {"form": form, "members": member_list(viewer=req.viewer)},
    )


def _set_active(request: HttpRequest, public_id: uuid.UUID, *, active: bool) -> HttpResponse:
    req = AuthedRequest.cast(request)
    membership = _membership_or_404(request, public_id)
    try:
        membership_set_active(actor=req.user, membership=membership, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tenancy:members")
    if active:
        messages.success(request, f"{membership.user} works at {membership.site} again.")
    else:
        messages.success(
            request,
            f"{membership.user} no longer works at {membership.site}; their account and "
            "any other site they belong to are unchanged.",
        )
    return redirect("tenancy:members")


@capability_required(Capability.MANAGE_SITE)
@require_POST
def member_deactivate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _set_active(request, public_id, active=False)


@capability_required(Capability.MANAGE_SITE)
@require_POST
def member_reactivate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _set_active(request, public_id, active=True)


@capability_required(Capability.MANAGE_SITE)
@require_POST
def member_unlock(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req = AuthedRequest.cast(request)
    membership = _membership_or_404(request, public_id)
    if not membership.is_active:
        # The account may work at other sites; a site unlocks only its active members.
        messages.error(request, f"{membership.user} no longer works at this site.")
        return redirect("tenancy:members")
    try:
        account_unlock(actor=req.user, membership=membership, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user}'s account is unlocked; they can sign in.")
    return redirect("tenancy:members")


@capability_required(Capability.MANAGE_SITE)
@require_POST
def member_password_link(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Send the set-password link again, to a member who has not set a password yet (the
    link expired, or the first e-mail did not arrive). Resetting a password someone has set
    is not done here."""
    membership = _membership_or_404(request, public_id)
    if membership.user.has_usable_password():
        messages.error(request, f"{membership.user} has already set a password.")
    elif not membership.is_active:
        messages.error(request, f"{membership.user} no longer works at {membership.site}.")
    else:
        _send_password_link(request, membership, done="")
    return redirect("tenancy:members")
