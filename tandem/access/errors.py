from django.http import Http404


class OutOfScope(Http404):
    """The object does not exist for this viewer. Answered as 404, exactly like an object that
    does not exist at all, so that its existence does not leak."""
