"""Which rows make up an organization, and how a row is written as JSON and read back."""

import datetime
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from django.db import models

from sovet.congress.models import (
    AgendaItem,
    Amendment,
    Body,
    BodySeat,
    Candidate,
    Credential,
    Election,
    Faction,
    FactionMembership,
    Formulation,
    Motion,
    MotionSupport,
    Session,
    SpeakerRequest,
)
from sovet.councils.models import Council, Mandate, Recall, RecallSupport, Seats, Substitute
from sovet.organizations.models import (
    Membership,
    MembershipEvent,
    Organization,
    Person,
    Statute,
    Unit,
    UnitLevel,
)
from sovet.polls.models import Participation, Poll, SecretBallot
from sovet.record.leaves import timestamp

# In an order where every row comes after the rows it refers to (within a model, by key).
# Accounts (logins, organizers) belong to an installation and are not exported.
MODELS: list[tuple[type[models.Model], Callable[[Organization], Any]]] = [
    (Organization, lambda o: Organization.objects.filter(pk=o.pk)),
    (Statute, lambda o: Statute.objects.filter(organization=o)),
    (UnitLevel, lambda o: UnitLevel.objects.filter(organization=o)),
    (Unit, lambda o: Unit.objects.filter(organization=o)),
    (Person, lambda o: Person.objects.filter(memberships__organization=o)),
    (Membership, lambda o: Membership.objects.filter(organization=o)),
    (MembershipEvent, lambda o: MembershipEvent.objects.filter(membership__organization=o)),
    (Council, lambda o: Council.objects.filter(organization=o)),
    (Seats, lambda o: Seats.objects.filter(council__organization=o)),
    (Mandate, lambda o: Mandate.objects.filter(council__organization=o)),
    (Substitute, lambda o: Substitute.objects.filter(mandate__council__organization=o)),
    (Recall, lambda o: Recall.objects.filter(mandate__council__organization=o)),
    (
        RecallSupport,
        lambda o: RecallSupport.objects.filter(recall__mandate__council__organization=o),
    ),
    (Session, lambda o: Session.objects.filter(organization=o)),
    (Credential, lambda o: Credential.objects.filter(session__organization=o)),
    (AgendaItem, lambda o: AgendaItem.objects.filter(session__organization=o)),
    (SpeakerRequest, lambda o: SpeakerRequest.objects.filter(item__session__organization=o)),
    (Faction, lambda o: Faction.objects.filter(organization=o)),
    (FactionMembership, lambda o: FactionMembership.objects.filter(organization=o)),
    (Motion, lambda o: Motion.objects.filter(organization=o)),
    (MotionSupport, lambda o: MotionSupport.objects.filter(motion__organization=o)),
    (Formulation, lambda o: Formulation.objects.filter(motion__organization=o)),
    (Amendment, lambda o: Amendment.objects.filter(motion__organization=o)),
    (Body, lambda o: Body.objects.filter(organization=o)),
    (BodySeat, lambda o: BodySeat.objects.filter(body__organization=o)),
    (Election, lambda o: Election.objects.filter(session__organization=o)),
    (Candidate, lambda o: Candidate.objects.filter(election__session__organization=o)),
    (Poll, lambda o: Poll.objects.filter(organization=o)),
    (Participation, lambda o: Participation.objects.filter(poll__organization=o)),
    (SecretBallot, lambda o: SecretBallot.objects.filter(poll__organization=o)),
]
LABELS = {model._meta.label_lower: model for model, _ in MODELS}
# Counters the record keeps; an import sets them from the entries it brings.
RECORD_COUNTERS = {"record_length"}
# Derived from the entries, so not exported; an import rebuilds them with the log.
RECORD_DERIVED = {"record_frontier", "tree_size"}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def to_json(instance: models.Model) -> dict[str, Any]:
    """Return a row as {"model", "pk", "fields"}, its references by their keys."""
    meta = instance._meta
    return {
        "model": meta.label_lower,
        "pk": instance.pk,
        "fields": {
            field.attname: _json_value(field.value_from_object(instance))
            for field in meta.concrete_fields
            if not field.primary_key and field.attname not in RECORD_DERIVED
        },
    }
