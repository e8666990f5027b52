"""The record: its entries a page at a time, and its latest signed tree head."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from sovet.api.lookups import organization, readable_organization
from sovet.api.schemas import MAX_ID, RecordPage, Slug, TreeHeadOut, answers
from sovet.record import log
from sovet.record.models import RecordEntry

router = Router(tags=["record"])


@router.get("/o/{slug}/record", response=answers(RecordPage))
def list_entries(
    request: HttpRequest,
    slug: Slug,
    after: int = Query(0, ge=0, le=MAX_ID, description="Entries after this number."),
    limit: int = Query(100, ge=1, le=1000),
    action: str = Query("", max_length=64, description="Only actions starting so: `poll.`"),
) -> Any:
    """The record's entries in order, a page at a time (members and organizers: it names them)."""
    org = readable_organization(request, slug)
    entries = RecordEntry.objects.filter(organization=org, seq__gt=after)
    if action:
        entries = entries.filter(action__startswith=action)
    page = list(entries.order_by("seq")[: limit + 1])
    return {
        "entries": [
            {
                "seq": entry.seq,
                "at": entry.at,
                "actor": entry.actor,
                "action": entry.action,
                "statute_version": entry.statute_version,
                "payload": entry.data,
            }
            for entry in page[:limit]
        ],
        "next_after": page[limit - 1].seq if len(page) > limit else None,
        "record_length": org.record_length,
    }


@router.get("/o/{slug}/record/head", auth=None, response=answers(TreeHeadOut, public=True))
def tree_head(request: HttpRequest, slug: Slug) -> Any:
    """The signed tree head of the whole record, signed now if the record grew.

    It holds only hashes, so anyone may keep a copy and later ask whether the record only grew.
    """
    return log.latest_head(organization(slug)).to_json()
