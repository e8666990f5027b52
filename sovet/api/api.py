"""The HTTP API: one NinjaAPI, its routers, and every refusal as JSON {code, reason}."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sovet.api.auth import SIGNED_IN, CsrfRefused
from sovet.api.routers import (
    account,
    congress,
    councils,
    elections,
    motions,
    organizations,
    polls,
    record,
)
from sovet.errors import ActionError, NotAllowed

SIGN_IN = "sign in, or send an API token in the header Authorization: Bearer <token>"
CSRF = "a request made with the browser's session needs its CSRF token (header X-CSRFToken)"
STATUS_CODES = {400: "invalid_input", 401: "sign_in", 403: "not_allowed", 404: "not_found"}

api = NinjaAPI(
    title="Sovet",
    version="1",
    description="Organizations, councils, congress sessions, motions, polls and elections; "
    "every action checks the same permissions as the web pages and lands in the record. "
    "Authenticate with an API token (Authorization: Bearer) or the browser's session.",
    urls_namespace="api",
    # Every operation needs a signed-in user unless it says otherwise (auth=None).
    auth=SIGNED_IN,
    # The docs page loads Swagger UI from this installation, and asks no validator elsewhere.
    docs=Swagger(settings={"validatorUrl": None}),
)
for area in (account, organizations, councils, congress, motions, elections, polls, record):
    api.add_router("", area.router)


def error(request: HttpRequest, status: int, code: str, reason: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "reason": reason}, status=status)


@api.exception_handler(ActionError)
def refused(request: HttpRequest, exc: ActionError) -> HttpResponse:
    code = "not_allowed" if isinstance(exc, NotAllowed) else "invalid"
    return error(request, exc.status, code, exc.message)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error(request, 400, "invalid_input", "; ".join(_describe(e) for e in exc.errors[:5]))


def _describe(problem: dict[str, Any]) -> str:
    """Say where a validation error is, e.g. 'body votes: Input should be ...'."""
    where, *field = problem["loc"]
    if where == "body":
        # The body is the operation's one parameter, `payload`: its name says nothing.
        field = field[1:]
    name = ".".join(str(part) for part in field)
    return f"{where} {name}: {problem['msg']}" if name else f"{where}: {problem['msg']}"


@api.exception_handler(AuthenticationError)
def sign_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, "sign_in", SIGN_IN)
    response["WWW-Authenticate"] = 'Bearer realm="sovet"'
    return response


@api.exception_handler(CsrfRefused)
def csrf_refused(request: HttpRequest, exc: CsrfRefused) -> HttpResponse:
    return error(request, 403, "csrf", CSRF)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, STATUS_CODES.get(exc.status_code, "invalid"), str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", str(exc) or "not found")
