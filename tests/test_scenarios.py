"""The 1903 congress, replayed through the actions: each outcome read back from the system."""

import json

import pytest

from sovet import cli
from sovet.congress.models import BodySeat, Credential, Motion, Session
from sovet.organizations.selectors import current_statute
from sovet.polls.models import Poll
from sovet.record.models import RecordEntry, TreeHead
from sovet.scenarios import congress_1903, scenarios


@pytest.fixture
def replay(db):
    return congress_1903.run(slug="rsdlp")


def test_every_step_matches_what_the_sources_report(replay):
    _, steps = replay
    assert [step.name for step in steps] == [
        "convened",
        "groups",
        "london",
        "paragraph-1",
        "walkout",
        "secret-ballot",
        "editorial-board",
        "martov-declines",
        "closed",
    ]
    assert [step.name for step in steps if not step.matches] == []


def test_outcomes_read_back_from_the_system(replay):
    organization, _ = replay
    session = Session.objects.get(organization=organization)
    accredited = Credential.objects.filter(session=session, accredited=True)
    assert accredited.count() == 43
    assert sum(c.mandate.votes for c in accredited) == 51
    # Paragraph 1: Martov's formulation beat Lenin's, then passed; the statute changed.
    motion = Motion.objects.get(organization=organization, title__contains="Paragraph 1")
    formulations = Poll.objects.get(motion=motion, purpose="formulations")
    assert formulations.result["winner"] == "Martov"
    assert {row["choice"]: row["votes"] for row in formulations.tally} == {
        "Lenin": 22,
        "Martov": 28,
        "abstain": 1,
    }
    assert motion.state == Motion.State.ADOPTED and "assistance" in motion.text
    statute = current_statute(organization)
    assert statute.criterion == "assistance" and statute.version == 2
    # The walkout left 44 votes present, recorded as one event.
    walkout = RecordEntry.objects.get(organization=organization, action="presence.walkout")
    assert walkout.data["votes"] == 7 and walkout.data["quorum"]["present"] == 44
    # The secret ballot demand failed 17 to 19 with 3 abstentions.
    demand = Poll.objects.get(organization=organization, question__contains="secret ballot")
    assert demand.result["adopted"] is False
    assert [row["votes"] for row in demand.tally] == [17, 19, 3]
    # The board: elected by STV, then Martov declined.
    elected = BodySeat.objects.filter(body__name="Editorial board of Iskra", how="elected")
    assert set(elected.values_list("person__name", flat=True)) == {"Plekhanov", "Lenin", "Martov"}
    assert set(elected.filter(active=True).values_list("person__name", flat=True)) == {
        "Plekhanov",
        "Lenin",
    }
    assert TreeHead.objects.filter(organization=organization, reason="session closed").exists()


def test_scenario_command_lists_and_runs(db, capsys):
    assert cli.main(["scenario", "list"]) == 0
    assert "1903" in capsys.readouterr().out
    assert cli.main(["scenario", "run", "1903", "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)
    assert all(step["matches"] for step in steps)
    assert {"name", "action", "outcome", "reported", "matches", "figures"} <= set(steps[0])
    assert cli.main(["scenario", "run", "1903"]) == 0  # a second replay, in a fresh organization
    assert "rsdlp-1903-2" in capsys.readouterr().out
    assert cli.main(["scenario", "run", "1917"]) == 2
    assert "no scenario '1917'" in capsys.readouterr().err
    assert set(scenarios()) == {"1903"}
