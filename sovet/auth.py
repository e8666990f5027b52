"""Signing in: Django's model backend, which also loads the user's login with them."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class Backend(ModelBackend):
    """Loads a signed-in user with their login (the person they are) in one query.

    Every action asks who the actor is as a person (a ballot: whose mandate it is), so the
    request's user comes with it instead of a second query per request.
    """

    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related("login")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
