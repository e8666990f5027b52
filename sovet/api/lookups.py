"""Finding what a request names: in the path (404 if absent) or in the body (400)."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from sovet.errors import Invalid
from sovet.organizations.access import require_record_reader
from sovet.organizations.models import Organization, Person

M = TypeVar("M", bound=Model)


def actor(request: HttpRequest) -> Any:
    """Return the user the request authenticated as (by token or session)."""
    return request.auth  # type: ignore[attr-defined]


def by_key(queryset: QuerySet[M], **lookup: Any) -> M | None:
    """Return the one object a unique key finds, or None; unlike first(), without sorting
    (compiling the ORDER BY cost a ballot more than running its query)."""
    return next(iter(queryset.filter(**lookup).order_by()[:1]), None)


def organization(slug: str) -> Organization:
    return found_organization(by_key(Organization.objects.all(), slug=slug), slug)


def found_organization(found: Organization | None, slug: str) -> Organization:
    if found is None:
        raise Http404(f"there is no organization {slug!r}")
    return found


def readable_organization(request: HttpRequest, slug: str) -> Organization:
    """Return the organization if the actor may read its record (members and organizers)."""
    found = organization(slug)
    require_record_reader(actor(request), found)
    return found


def one(queryset: QuerySet[M], what: str, key: Any, **lookup: Any) -> M:
    """Return the object the path names, or answer 404."""
    return found_in_path(by_key(queryset, **lookup), what, key)


def found_in_path(found: M | None, what: str, key: Any) -> M:
    if found is None:
        raise Http404(f"there is no {what} {key} here")
    return found


def named(queryset: QuerySet[M], what: str, key: Any, **lookup: Any) -> M:
    """Return the object the request body names, or refuse the input."""
    return found_in_body(by_key(queryset, **lookup), what, key)


def found_in_body(found: M | None, what: str, key: Any) -> M:
    if found is None:
        raise Invalid(f"there is no {what} {key} in this organization")
    return found


def person(org: Organization, person_id: int) -> Person:
    """Return a person who is or was a member of the organization, named in the body."""
    return named(
        Person.objects.filter(memberships__organization=org), "person", person_id, pk=person_id
    )
