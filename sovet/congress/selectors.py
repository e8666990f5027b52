"""Reads for the congress pages, in a bounded number of queries."""

from typing import Any

from sovet import texts
from sovet.congress.models import Motion, Session
from sovet.polls.models import Poll


def motions_of(organization: Any) -> list[Motion]:
    return list(
        Motion.objects.filter(organization=organization)
        .select_related("session", "submitted_by")
        .order_by("number")
    )


def sessions_of(organization: Any) -> list[Session]:
    return list(
        Session.objects.filter(organization=organization)
        .select_related("council")
        .order_by("council_id", "number")
    )


def motion_page(motion: Motion) -> dict[str, Any]:
    """Return a motion with its text's changes marked, its amendments, formulations and polls."""
    segments = texts.changes(motion.original_text, motion.text)
    return {
        "motion": motion,
        "changes_html": texts.to_html(segments),
        "changed": any(segment.kind != "same" for segment in segments),
        "amendments": list(motion.amendments.select_related("submitted_by", "amends")),
        "formulations": list(motion.formulations.select_related("proposed_by")),
        "polls": list(Poll.objects.filter(motion=motion).order_by("opened_at")),
        "supporters": list(motion.supports.values_list("person__name", flat=True)),
    }
