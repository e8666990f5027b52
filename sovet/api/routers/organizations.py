"""Organizations, their statutes and unit trees, and the membership actions."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from sovet.api.lookups import actor, named, one, organization
from sovet.api.schemas import (
    MAX_ID,
    MAX_NUMBER,
    AmendStatuteIn,
    Id,
    MemberIn,
    MembershipOut,
    OrganizationDetail,
    OrganizationOut,
    Slug,
    StatusIn,
    StatuteOut,
    TransferIn,
    UnitIn,
    UnitOut,
    UnitPage,
    answers,
)
from sovet.organizations import actions
from sovet.organizations.models import Membership, Organization, Statute, Unit, UnitLevel
from sovet.organizations.selectors import current_statute

router = Router(tags=["organizations"])
UNITS_PAGE = 500


def statute_out(statute: Statute) -> dict[str, Any]:
    return {
        "version": statute.version,
        "adopted_at": statute.adopted_at,
        "adopted_by": statute.adopted_by,
        "rules": statute.rules(),
    }


def _unit(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "parent": unit.parent_id,
        "level": unit.level.name,
        "depth": unit.level.depth,
        "members": unit.member_count,
        "assistants": unit.assistant_count,
    }


def _membership(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "number": membership.number,
        "person": {"id": membership.person_id, "name": membership.person.name},
        "unit": membership.unit,
        "status": membership.status,
        "since": membership.since,
    }


def _unit_in(org: Organization, unit_id: int) -> Unit:
    return named(
        Unit.objects.filter(organization=org).select_related("organization", "level"),
        "unit",
        unit_id,
        pk=unit_id,
    )


def _membership_at(org: Organization, membership_id: int) -> Membership:
    return one(
        Membership.objects.filter(organization=org).select_related("organization"),
        "membership",
        membership_id,
        pk=membership_id,
    )


@router.get("/o", auth=None, response=answers(list[OrganizationOut], public=True))
def list_organizations(request: HttpRequest) -> Any:
    """List the organizations of this installation."""
    return list(Organization.objects.order_by("name"))


@router.get("/o/{slug}", auth=None, response=answers(OrganizationDetail, public=True))
def get_organization(request: HttpRequest, slug: Slug) -> Any:
    """An organization with its unit levels and the statute in force."""
    org = organization(slug)
    levels = UnitLevel.objects.filter(organization=org).order_by("depth")
    return {
        "slug": org.slug,
        "name": org.name,
        "created_at": org.created_at,
        "statute_version": org.statute_version,
        "record_length": org.record_length,
        "levels": list(levels),
        "statute": statute_out(current_statute(org)),
    }


@router.get("/o/{slug}/statutes", auth=None, response=answers(list[StatuteOut], public=True))
def list_statutes(request: HttpRequest, slug: Slug) -> Any:
    """Every version of the statute, the one in force first."""
    org = organization(slug)
    return [statute_out(s) for s in Statute.objects.filter(organization=org).order_by("-version")]


@router.post("/o/{slug}/statutes", response=answers(StatuteOut, 201))
def amend_statute(request: HttpRequest, slug: Slug, payload: AmendStatuteIn) -> Any:
    """Adopt the next statute version with the given rules changed (organizers)."""
    statute = actions.amend_statute(
        actor=actor(request),
        organization=organization(slug),
        changes=payload.changes,
        note=payload.note,
    )
    return Status(201, statute_out(statute))


@router.get("/o/{slug}/units", auth=None, response=answers(UnitPage, public=True))
def list_units(
    request: HttpRequest,
    slug: Slug,
    offset: int = Query(0, ge=0, le=MAX_NUMBER),
    parent: int | None = Query(None, ge=1, le=MAX_ID),
) -> Any:
    """The units, level by level, a page at a time; `parent` lists one unit's children."""
    org = organization(slug)
    units = Unit.objects.filter(organization=org).select_related("level")
    if parent is not None:
        units = units.filter(parent_id=parent)
    page = list(units.order_by("level__depth", "name", "pk")[offset : offset + UNITS_PAGE + 1])
    more = len(page) > UNITS_PAGE
    return {
        "units": [_unit(unit) for unit in page[:UNITS_PAGE]],
        "next_offset": offset + UNITS_PAGE if more else None,
    }


@router.post("/o/{slug}/units", response=answers(UnitOut, 201))
def add_unit(request: HttpRequest, slug: Slug, payload: UnitIn) -> Any:
    """Add a unit below a parent unit, one level down (organizers)."""
    parent = _unit_in(organization(slug), payload.parent)
    unit = actions.add_unit(
        actor=actor(request), parent=parent, code=payload.code, name=payload.name
    )
    return Status(201, _unit(Unit.objects.select_related("level").get(pk=unit.pk)))


@router.post("/o/{slug}/members", response=answers(MembershipOut, 201))
def admit_member(request: HttpRequest, slug: Slug, payload: MemberIn) -> Any:
    """Admit a person as member, assistant or supporter of a base unit (organizers)."""
    unit = _unit_in(organization(slug), payload.unit)
    membership = actions.admit_member(
        actor=actor(request),
        unit=unit,
        number=payload.number,
        name=payload.name,
        email=payload.email,
        status=payload.status,
        since=payload.since,
    )
    return Status(201, _membership(membership))


@router.post("/o/{slug}/members/{membership_id}/transfer", response=answers(MembershipOut))
def transfer_member(
    request: HttpRequest, slug: Slug, membership_id: Id, payload: TransferIn
) -> Any:
    """Move a membership to another base unit (organizers)."""
    org = organization(slug)
    membership = actions.transfer_member(
        actor=actor(request),
        membership=_membership_at(org, membership_id),
        unit=_unit_in(org, payload.unit),
        reason=payload.reason,
    )
    return _membership(membership)


@router.post("/o/{slug}/members/{membership_id}/status", response=answers(MembershipOut))
def change_status(request: HttpRequest, slug: Slug, membership_id: Id, payload: StatusIn) -> Any:
    """Change a membership's status: lapse, expel (with a reason), reinstate (organizers)."""
    membership = actions.change_status(
        actor=actor(request),
        membership=_membership_at(organization(slug), membership_id),
        status=payload.status,
        reason=payload.reason,
    )
    return _membership(membership)
