"""The record's Merkle log over HTTP: signed tree heads, proofs, the public key, receipts, and
the minutes made from the record.

Heads, consistency proofs and the key hold nothing but hashes, so anyone may read them; an
inclusion proof carries the entry itself and is open to whoever may read the record.
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from sovet.errors import ActionError, Invalid
from sovet.minutes import build, render
from sovet.organizations.access import require_record_reader
from sovet.organizations.models import Organization
from sovet.polls import selectors as poll_selectors
from sovet.record import log, signing, tree


def _json(produce: Callable[[], dict[str, Any]]) -> JsonResponse:
    """Answer with what `produce` returns, or with the action's refusal as a JSON error."""
    try:
        return JsonResponse(produce(), json_dumps_params={"ensure_ascii": False})
    except ActionError as error:
        code = "not_allowed" if error.status == 403 else "invalid"
        return JsonResponse({"error": code, "reason": error.message}, status=error.status)


def _size(request: HttpRequest, name: str) -> int:
    text = request.GET.get(name, "")
    if not text.isdigit() or len(text) > 18:
        raise Invalid(f"give ?{name}= as a whole number of entries, from 0")
    return int(text)


@require_GET
def public_key(request: HttpRequest) -> JsonResponse:
    return _json(lambda: {"algorithm": "Ed25519", "public_key": signing.public_key_hex()})


@require_GET
def head(request: HttpRequest, slug: str) -> JsonResponse:
    organization = get_object_or_404(Organization, slug=slug)
    return _json(lambda: log.latest_head(organization).to_json())


@require_GET
def entry_proof(request: HttpRequest, slug: str, seq: int) -> JsonResponse:
    organization = get_object_or_404(Organization, slug=slug)

    def produce() -> dict[str, Any]:
        require_record_reader(request.user, organization)
        return tree.entry_proof(organization, seq, log.latest_head(organization))

    return _json(produce)


@require_GET
def consistency(request: HttpRequest, slug: str) -> JsonResponse:
    organization = get_object_or_404(Organization, slug=slug)
    return _json(
        lambda: tree.consistency(organization, _size(request, "old"), _size(request, "new"))
    )


MINUTES = {
    "md": ("text/markdown; charset=utf-8", lambda minutes: render.markdown(minutes).encode()),
    "html": ("text/html; charset=utf-8", lambda minutes: render.html(minutes).encode()),
    "pdf": ("application/pdf", render.pdf),
}


def _optional_seq(request: HttpRequest, name: str) -> int | None:
    return _size(request, name) if request.GET.get(name) else None


@require_GET
def minutes(request: HttpRequest, slug: str, form: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    if form not in MINUTES:
        raise Http404("minutes come as .md, .html or .pdf")
    try:
        require_record_reader(request.user, organization)
        first, last, title = _optional_seq(request, "from"), _optional_seq(request, "to"), ""
        if (session := _optional_seq(request, "session")) is not None:
            first, last, title = build.session_span(organization, session)
        made = build.build(organization, first=first, last=last, title=title)
    except ActionError as error:
        code = "not_allowed" if error.status == 403 else "invalid"
        return JsonResponse({"error": code, "reason": error.message}, status=error.status)
    content_type, produce = MINUTES[form]
    response = HttpResponse(produce(made), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="minutes-{slug}.{form}"'
    return response


@require_GET
def receipt(request: HttpRequest, slug: str, code: str) -> JsonResponse:
    organization = get_object_or_404(Organization, slug=slug)
    return _json(lambda: poll_selectors.receipt_check(organization, code))
