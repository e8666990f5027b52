"""Fixtures for the API: a client that speaks JSON as a given user, with an API token."""

import json

import pytest
from django.test import Client

from sovet.api import tokens


class Api:
    """Requests to /api/ with a user's token (or none), answering (status, JSON)."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, secret = tokens.issue_token(actor=user, user=user, name="tests")
            self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path, **query):
        response = self.client.get(f"/api{path}", query, headers=self.headers)
        return response.status_code, response.json()

    def delete(self, path):
        response = self.client.delete(f"/api{path}", headers=self.headers)
        return response.status_code, response.json()

    def post(self, path, body=None):
        response = self.client.post(
            f"/api{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )
        return response.status_code, response.json()


@pytest.fixture
def api():
    """Return a maker of API clients: api(user) acts as the user, api() as nobody."""
    return Api
