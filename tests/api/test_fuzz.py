"""Schemathesis against the OpenAPI schema: no server error on any generated input, every
answer as the schema says, and no operation that needs a user answers without one.

The schema is loaded from the application and the requests go to its WSGI handler in this
process, so they see the test's database: a congress in session, and a delegate who is also an
organizer acting with an API token. Schemathesis's own pytest loader needs a pytest older than
ours, so each operation runs as a Hypothesis test of its own, in a subtest.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from sovet.api import tokens
from sovet.organizations.actions import appoint_organizer

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.ignored_auth,
]
# Bounded: each of the sixty-odd operations gets this many generated requests per run.
FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def application():
    """Django's WSGI handler, kept (as Django's test client keeps it) from closing the database
    connection after each request: that would end the test's transaction on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(application, subtests, config: dict, *, slug: str | None = None) -> None:
    """Send generated requests, valid and invalid, to every operation and check the answers."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/openapi.json", application, config=schemathesis.Config.from_dict(config)
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking tokens goes last: it may revoke the run's own, signing out what follows.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    for operation in operations:
        fixed = {"slug": slug} if slug and "{slug}" in operation.path else None
        with subtests.test(operation.label):
            cases = st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
                operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
            )

            @FUZZ
            @given(case=cases)
            def send(case):
                case.call_and_validate(checks=CHECKS)

            send()


def test_anonymous_requests(application, congress, subtests):
    fuzz(application, subtests, {})


def test_requests_with_a_token(application, congress, subtests):
    """Requests of delegate 0, also an organizer, to the congress's organization: they reach
    real sessions, polls and motions, and may change them."""
    user = congress.user(0)
    appoint_organizer(
        actor=congress.union.organizer, organization=congress.union.organization, user=user
    )
    _, secret = tokens.issue_token(actor=user, user=user, name="fuzz")
    config = {
        "auth": {"openapi": {"TokenAuth": {"bearer": secret}}},
        # Most integers drawn are small, so that ids name the congress's sessions, mandates...
        "dictionaries": {"ids": {"values": list(range(1, 8))}},
        "generation": {"dictionaries": {"integer": {"dictionary": "ids", "probability": 0.7}}},
    }
    fuzz(application, subtests, config, slug="union")
