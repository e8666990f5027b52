"""Reads for council pages, in a bounded number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from sovet.councils import composition
from sovet.councils.actions import recall_progress
from sovet.councils.models import Council, Mandate, Recall, Seats, Substitute
from sovet.organizations.models import Statute, Unit


@dataclass
class OpenRecall:
    recall: Recall
    supports: int
    needed: int


@dataclass
class Constituency:
    unit: Unit
    seats: int
    members: int
    mandates: list[Mandate] = field(default_factory=list)
    recalls: dict[int, OpenRecall] = field(default_factory=dict)

    @property
    def vacant(self) -> int:
        return max(0, self.seats - sum(mandate.votes for mandate in self.mandates))

    @property
    def over_seated(self) -> int:
        return max(0, sum(mandate.votes for mandate in self.mandates) - self.seats)


def council_composition(council: Council, statute: Statute) -> list[Constituency]:
    """Return each constituency with its seats, counted members, mandates and open recalls."""
    members = composition.populations(council, statute.criterion)
    by_unit = {
        row.unit_id: Constituency(
            unit=row.unit, seats=row.count, members=members.get(row.unit_id, 0)
        )
        for row in Seats.objects.filter(council=council).select_related("unit")
    }
    mandates = (
        Mandate.objects.filter(council=council, state=Mandate.State.ACTIVE)
        .select_related("delegate", "unit")
        .prefetch_related(
            Prefetch("substitutes", queryset=Substitute.objects.select_related("person"))
        )
    )
    for mandate in mandates:
        constituency = by_unit.setdefault(
            # A unit that lost its seats on recomposition keeps its delegate until the term ends.
            mandate.unit_id,
            Constituency(unit=mandate.unit, seats=0, members=members.get(mandate.unit_id, 0)),
        )
        constituency.mandates.append(mandate)
    recalls = Recall.objects.filter(
        mandate__council=council, state=Recall.State.OPEN
    ).select_related("mandate__unit")
    for recall in recalls:
        supports, _, needed = recall_progress(recall, recall.mandate.unit, statute)
        by_unit[recall.mandate.unit_id].recalls[recall.mandate_id] = OpenRecall(
            recall, supports, needed
        )
    return sorted(by_unit.values(), key=lambda constituency: constituency.unit.name)


def ended_mandates(council: Council, limit: int = 20) -> list[Mandate]:
    """Return the most recently ended mandates with their successors."""
    return list(
        Mandate.objects.filter(council=council)
        .exclude(state=Mandate.State.ACTIVE)
        .select_related("delegate", "unit", "successor__delegate")
        .order_by("-ended_at")[:limit]
    )
