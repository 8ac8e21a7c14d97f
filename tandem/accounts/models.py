import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A person who signs in to Tandem. Which site, organisation and role they act in comes
    from their memberships, never from this row."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            # Sign-in and the lockout match usernames whatever their case, so two accounts
            # may not differ only by case (user_create checks first, with a clear message).
            models.UniqueConstraint(Lower("username"), name="user_username_unique_any_case")
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A partner system's credential, scoped to one site and organisation and acting in one
    role. Only a SHA-256 digest of the secret is stored; the secret is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("tenancy.Site", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="api_tokens"
    )
    role = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
