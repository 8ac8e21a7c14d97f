from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.access.decisions import Capability, default_purpose
from tandem.access.errors import OutOfScope
from tandem.core.decorators import capability_required, member_required
from tandem.core.requests import AuthedRequest
from tandem.people.selectors import person_get, person_list


@capability_required(Capability.FIND_PEOPLE)
def people_list(request: HttpRequest) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    query = request.GET.get("q", "")[:100]
    people = person_list(viewer=req.viewer, query=query)
    template = "people/list.html"
    if request.headers.get("HX-Request"):
        template += "#results"
    return render(request, template, {"people": people, "query": query})


@member_required
def person_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    req = AuthedRequest.cast(request)
    assert req.viewer is not None
    purpose = default_purpose(req.viewer.role)
    if purpose is None:
        raise OutOfScope("No such person.")
    record = person_get(viewer=req.viewer, public_id=public_id, purpose=purpose)
    return render(request, "people/detail.html", {"record": record, "purpose": purpose})
