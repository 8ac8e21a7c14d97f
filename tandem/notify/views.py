"""The inbox: a member's own notifications at their current site, newest first."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tandem.core.decorators import member_required
from tandem.core.requests import AuthedRequest
from tandem.notify.selectors import (
    INBOX_LIMIT,
    notification_get,
    notification_link,
    notification_list,
)
from tandem.notify.services import mark_all_read, mark_read


@member_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    inbox = notification_list(viewer=req.viewer)
    return render(
        request,
        "notify/inbox.html",
        {
            "notifications": inbox.items,
            "has_unread": inbox.has_unread,
            "part2_notice": inbox.part2_notice,
            "limit": INBOX_LIMIT,
        },
    )


@member_required
@require_POST
def read_action(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Mark one notification read and follow its link (or come back to the inbox). A
    notification about someone the viewer may no longer read has no link to follow."""
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    notification = notification_get(user=req.user, site_id=req.viewer.site_id, public_id=public_id)
    mark_read(user=req.user, notification=notification)
    url = notification_link(viewer=req.viewer, notification=notification)
    # notify() accepts only paths inside Tandem; checked again before following one.
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notify:inbox")


@member_required
@require_POST
def read_all_action(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.membership is not None
    count = mark_all_read(user=req.user, site=req.membership.site)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notify:inbox")
