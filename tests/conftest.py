"""Fixtures: an organization built through the actions, as any organization is."""

import datetime
import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db.backends.signals import connection_created
from hypothesis import settings

from sovet.congress import sessions
from sovet.congress.models import Session
from sovet.councils.actions import create_council, issue_mandate
from sovet.councils.models import Council
from sovet.organizations.actions import (
    add_unit,
    admit_member,
    appoint_organizer,
    create_organization,
    grant_login,
)
from sovet.organizations.models import Membership, Organization, Unit, UnitLevel
from sovet.polls.actions import cast_ballot


def _allow_truncate(sender, connection, **kwargs):
    """Let transactional tests empty the PostgreSQL test database past the record's TRUNCATE
    trigger, on every connection (Django reopens them, and channels' threads open their own)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET sovet.allow_truncate = 'on'")


connection_created.connect(_allow_truncate)

settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

PASSWORD = "correct horse battery"


@dataclass
class Union:
    """A small organization: two districts, three branches, one council of the branches."""

    organization: Organization
    root: Unit
    north: Unit
    south: Unit
    depot: Unit
    yard: Unit
    works: Unit
    branch_level: UnitLevel
    council: Council
    organizer: object

    def member(
        self, unit: Unit, number: str, *, login: bool = False, **kwargs: object
    ) -> Membership:
        membership = admit_member(
            actor=self.organizer, unit=unit, number=number, name=f"Member {number}", **kwargs
        )
        if login:
            grant_login(
                actor=self.organizer, membership=membership, username=number, password=PASSWORD
            )
        return membership

    def user(self, membership: Membership) -> object:
        return membership.person.login.user


@pytest.fixture
def organizer(db):
    return get_user_model().objects.create_user(username="organizer", password=PASSWORD)


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user(username="outsider", password=PASSWORD)


@pytest.fixture
def union(db, organizer) -> Union:
    admin = get_user_model().objects.create_superuser(username="admin", password=PASSWORD)
    organization = create_organization(
        actor=admin,
        slug="union",
        name="Transit Union",
        levels=["Union", "District", "Branch"],
        rules={"delegate_ratio": 5, "min_delegates_per_unit": 1},
    )
    appoint_organizer(actor=admin, organization=organization, user=organizer)
    root = organization.units.get(parent=None)
    north = add_unit(actor=organizer, parent=root, code="north", name="North")
    south = add_unit(actor=organizer, parent=root, code="south", name="South")
    depot = add_unit(actor=organizer, parent=north, code="depot", name="Depot")
    yard = add_unit(actor=organizer, parent=north, code="yard", name="Yard")
    works = add_unit(actor=organizer, parent=south, code="works", name="Works")
    branch_level = UnitLevel.objects.get(organization=organization, name="Branch")
    council = create_council(
        actor=organizer, unit=root, name="Union Council", constituency_level=branch_level
    )
    return Union(
        organization, root, north, south, depot, yard, works, branch_level, council, organizer
    )


@pytest.fixture
def seated(union: Union):
    """The union: fifteen members in the depot (two seats), a delegate with two substitutes."""
    members = [union.member(union.depot, f"d{i}", login=True) for i in range(15)]
    union.member(union.yard, "y0", login=True)
    mandate = issue_mandate(
        actor=union.organizer,
        council=union.council,
        unit=union.depot,
        delegate=members[0].person,
        substitutes=[members[1].person, members[2].person],
    )
    return union, members, mandate


@pytest.fixture
def every_action(seated, tmp_path, outsider):
    """Run each action once on the seated union; return the organization and the length before."""
    from sovet.councils import actions as councils
    from sovet.organizations import actions as organizations
    from sovet.organizations.importing import import_members
    from sovet.polls import actions as polls

    union, members, mandate = seated
    organizer = union.organizer
    organization = union.organization
    start = organization.record_length
    organizations.appoint_organizer(actor=organizer, organization=organization, user=outsider)
    organizations.amend_statute(
        actor=organizer, organization=organization, changes={"majority_rule": "two_thirds"}
    )
    organizations.add_level(actor=organizer, organization=organization, name="Cell")
    cell = organizations.add_unit(actor=organizer, parent=union.works, code="w1", name="W1")
    newcomer = union.member(cell, "n1", login=True)
    organizations.transfer_member(actor=organizer, membership=members[14], unit=union.yard)
    organizations.change_status(actor=organizer, membership=members[13], status="lapsed")
    path = tmp_path / "m.csv"
    path.write_text("number,name,unit\nn2,Newer,w1\n")
    import_members(actor=organizer, organization=organization, path=path)
    council = councils.create_council(
        actor=organizer, unit=union.south, name="South council", constituency_level=cell.level
    )
    second = councils.issue_mandate(
        actor=organizer, council=council, unit=cell, delegate=newcomer.person
    )
    councils.resign_mandate(actor=union.user(newcomer), mandate=second)
    for secret in (False, True):
        poll = polls.open_poll(
            actor=organizer, council=union.council, question="Strike?", secret=secret
        )
        polls.cast_ballot(actor=union.user(members[0]), poll=poll, mandate=mandate, choice="yes")
        polls.close_poll(actor=organizer, poll=poll)
    recall = councils.open_recall(actor=union.user(members[4]), mandate=mandate)
    councils.support_recall(actor=union.user(members[5]), recall=recall)
    return organization, start


@dataclass
class Congress:
    union: object
    session: Session
    delegates: list  # (user, mandate), the first with two votes

    def mandate(self, index):
        return self.delegates[index][1]

    def user(self, index):
        return self.delegates[index][0]

    def vote(self, poll, choices):
        for (user, mandate), choice in zip(self.delegates, choices, strict=False):
            if choice is not None:
                cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice)


@pytest.fixture
def congress(union):
    """Six delegates of the depot (thirty-five members, seven seats), the first with two votes,
    accredited to an open session and present."""
    members = [union.member(union.depot, f"c{i}", login=True) for i in range(35)]
    delegates = []
    for index, member in enumerate(members[:6]):
        mandate = issue_mandate(
            actor=union.organizer,
            council=union.council,
            unit=union.depot,
            delegate=member.person,
            votes=2 if index == 0 else 1,
        )
        delegates.append((union.user(member), mandate))
    session = sessions.convene_session(
        actor=union.organizer,
        council=union.council,
        title="Second Congress",
        opens_on=datetime.date(1903, 7, 30),
        place="Brussels",
        agenda=["Rules of the party", "Elections"],
    )
    sessions.decide_credentials(
        actor=union.organizer, session=session, mandates=[m for _, m in delegates]
    )
    sessions.open_session(actor=union.organizer, session=session)
    for _, mandate in delegates:
        sessions.check_in(actor=union.organizer, session=session, mandate=mandate)
    session.refresh_from_db()
    return Congress(union, session, delegates)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: the hasher is Django's concern, not what these tests test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def turnout_with_every_ballot(settings):
    """Send turnout after each ballot: tests see it at once; tests of the interval set one."""
    settings.SOVET_TURNOUT_INTERVAL = 0


@pytest.fixture(scope="session")
def key_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def installation_keys(settings, key_folder):
    """Keep the signing and receipt keys of the test installation out of the working tree."""
    settings.SOVET_SIGNING_KEY = key_folder / "signing-key.pem"
    settings.SOVET_RECEIPT_KEY = key_folder / "receipt-key"
