"""The signed-in user: their tokens, memberships and mandates."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sovet.api import tokens
from sovet.api.auth import SESSION
from sovet.api.lookups import actor, one
from sovet.api.models import ApiToken
from sovet.api.schemas import Done, Id, MeOut, TokenIn, TokenIssued, TokenOut, answers
from sovet.councils.models import Mandate
from sovet.organizations.models import Membership

router = Router(tags=["account"])


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "created": token.created,
        "last_used": token.last_used,
    }


@router.post("/tokens", auth=SESSION, response=answers(TokenIssued, 201))
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    """Issue an API token for the signed-in user; its secret is shown this once.

    Only a browser session may do this, so that a leaked token cannot make more.
    """
    user = actor(request)
    token, secret = tokens.issue_token(actor=user, user=user, name=payload.name)
    return Status(201, {**_token(token), "token": secret})


@router.get("/tokens", response=answers(list[TokenOut]))
def list_tokens(request: HttpRequest) -> Any:
    """List the signed-in user's tokens (never their secrets)."""
    return [_token(token) for token in ApiToken.objects.filter(user=actor(request))]


@router.delete("/tokens/{token_id}", response=answers(Done))
def revoke_token(request: HttpRequest, token_id: Id) -> Any:
    """Revoke one of the signed-in user's tokens."""
    token = one(ApiToken.objects.filter(user=actor(request)), "token", token_id, pk=token_id)
    tokens.revoke_token(actor=actor(request), token=token)
    return {"done": True}


@router.get("/me", response=answers(MeOut))
def me(request: HttpRequest) -> Any:
    """Who the request acts as: memberships, and the active mandates to vote and speak with."""
    user = actor(request)
    memberships = Membership.objects.filter(person__login__user=user).select_related(
        "organization", "person", "unit"
    )
    mandates = Mandate.objects.filter(
        delegate__login__user=user, state=Mandate.State.ACTIVE
    ).select_related("council__organization", "unit")
    return {
        "username": user.get_username(),
        "memberships": [
            {
                "id": membership.pk,
                "organization": membership.organization.slug,
                "number": membership.number,
                "person": {"id": membership.person_id, "name": membership.person.name},
                "unit": membership.unit,
                "status": membership.status,
            }
            for membership in memberships
        ],
        "mandates": [
            {
                "id": mandate.pk,
                "organization": mandate.council.organization.slug,
                "council": mandate.council,
                "unit": mandate.unit,
                "votes": mandate.votes,
            }
            for mandate in mandates
        ],
    }
