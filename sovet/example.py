"""The example organization that `make run` loads: a small transit workers' union.

Its figures are illustrative. It is built through the same actions as any organization, so its
record shows how it came to be.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sovet.councils.actions import create_council, issue_mandate
from sovet.councils.models import Seats
from sovet.organizations.actions import (
    add_unit,
    admit_member,
    appoint_organizer,
    create_organization,
    grant_login,
)
from sovet.organizations.models import Organization, Status, UnitLevel

SLUG = "transit-workers"
NAME = "United Transit Workers"
ORGANIZER = "organizer"
# Branch code, name, district and number of people; the last of each branch is an assistant.
BRANCHES = [
    ("north-depot", "North Depot", "north", 22),
    ("harbour-yard", "Harbour Yard", "north", 15),
    ("tram-works", "Tram Works", "north", 9),
    ("south-depot", "South Depot", "south", 18),
    ("signal-shop", "Signal Shop", "south", 6),
]
DISTRICTS = [("north", "North District"), ("south", "South District")]
FIRST = [
    "Anna",
    "Boris",
    "Clara",
    "Dmitri",
    "Elena",
    "Fyodor",
    "Galina",
    "Ivan",
    "Katya",
    "Lev",
    "Maria",
    "Nikolai",
    "Olga",
    "Pavel",
    "Raisa",
    "Sergei",
    "Tanya",
    "Vera",
    "Yuri",
    "Zoya",
]
LAST = ["Ivanova", "Petrov", "Smirnova", "Kuznetsov", "Popova", "Sokolov", "Lebedeva", "Kozlov"]
# A delegate, their substitute and an ordinary member of North Depot can sign in.
LOGINS = {1, 2, 10}


def _password() -> str:
    path = settings.VAR_DIR / "example-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def organizer_login() -> tuple[str, str]:
    """Return the example organizer's username and password, creating the login once."""
    password = _password()
    users = get_user_model()
    if not users.objects.filter(username=ORGANIZER).exists():
        users.objects.create_superuser(username=ORGANIZER, email="", password=password)
    return ORGANIZER, password


@transaction.atomic
def load() -> Organization:
    """Create the example organization unless it exists; return it."""
    existing = Organization.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    organizer_login()
    organization = create_organization(
        actor=None,
        slug=SLUG,
        name=NAME,
        levels=["Union", "District", "Branch"],
        rules={"delegate_ratio": 10, "apportionment_method": "sainte_lague"},
    )
    appoint_organizer(
        actor=None,
        organization=organization,
        user=get_user_model().objects.get(username=ORGANIZER),
    )
    root = organization.units.get(parent=None)
    districts = {
        code: add_unit(actor=None, parent=root, code=code, name=name) for code, name in DISTRICTS
    }
    council = create_council(
        actor=None,
        unit=root,
        name="Union Council",
        constituency_level=UnitLevel.objects.get(organization=organization, name="Branch"),
    )
    people: dict[str, list] = {}
    serial = 0
    for code, name, district, size in BRANCHES:
        branch = add_unit(actor=None, parent=districts[district], code=code, name=name)
        people[code] = []
        for place in range(size):
            serial += 1
            status = Status.ASSISTANT if place == size - 1 else Status.MEMBER
            number = f"UTW-{serial:04d}"
            membership = admit_member(
                actor=None,
                unit=branch,
                number=number,
                name=f"{FIRST[serial % len(FIRST)]} {LAST[serial % len(LAST)]}",
                email=f"member{serial}@transit.example",
                status=status,
            )
            if serial in LOGINS:
                grant_login(
                    actor=None,
                    membership=membership,
                    username=membership.person.name.split()[0].lower(),
                    password=_password(),
                )
            if status == Status.MEMBER:
                people[code].append(membership.person)
    seats = dict(Seats.objects.filter(council=council).values_list("unit__code", "count"))
    for code, *_ in BRANCHES:
        branch = organization.units.get(code=code)
        for seat in range(seats.get(code, 0)):
            delegate, substitute = people[code][2 * seat], people[code][2 * seat + 1]
            issue_mandate(
                actor=None,
                council=council,
                unit=branch,
                delegate=delegate,
                substitutes=[substitute],
            )
    return organization
