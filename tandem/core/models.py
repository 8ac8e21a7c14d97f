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


class PeriodicRun(models.Model):
    """When a periodic job (tandem.core.periodic) last ran, and how it ended. One row per job;
    a run claims the row with a conditional update, so two workers never run a job twice in
    one interval."""

    name = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.BigIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
