"""API tokens: a user's keys for clients that cannot hold a browser session."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token; only the SHA-256 digest of its secret is stored, never the secret."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. a client.")
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
