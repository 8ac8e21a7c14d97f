import uuid

from django.db import models


class TandemModel(models.Model):
    """Base for every Tandem table: an internal integer key, a public UUID for URLs and the
    API (so row counts and neighbours never leak through an address), and timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
