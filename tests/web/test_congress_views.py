"""Session pages through full requests: the chair's desk, a delegate's ballot and desk, the live
congress page and its parts; and the pure drawings behind them (hemicycle, count charts)."""

import itertools
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sovet.congress import bodies, sessions
from sovet.congress.factions import declare_faction, join_faction
from sovet.congress.models import Candidate, SpeakerRequest
from sovet.organizations.access import ONLY_ORGANIZERS, RECORD_CLOSED
from sovet.polls.access import NOT_YOUR_MANDATE
from sovet.polls.actions import close_poll, open_poll
from sovet.polls.models import Participation, Poll
from sovet.web import charts, hemicycle

CODE = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def said(reason: str) -> str:
    """Return a refusal's reason as the pages print it: a sentence."""
    return f"{reason[0].upper()}{reason[1:]}."


def chair_act(congress, act):
    return reverse("chair-act", args=["union", congress.session.pk, act])


def poll_of(congress, **fields):
    return open_poll(
        actor=congress.union.organizer,
        council=congress.union.council,
        session=congress.session,
        question=fields.pop("question", "Strike?"),
        **fields,
    )


# The chair's desk


def test_chair_opens_and_closes_a_poll_through_the_views(congress, client):
    client.force_login(congress.union.organizer)
    response = client.post(
        chair_act(congress, "open-poll"), {"question": "Adopt the rules?", "kind": "yes/no"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#chair-votes")
    poll = Poll.objects.get(question="Adopt the rules?")
    assert poll.state == Poll.State.OPEN and not poll.secret and poll.session == congress.session
    desk = page(client.get(response["Location"]))
    assert "The poll is open: Adopt the rules?" in desk and "Close the poll" in desk
    congress.vote(poll, ["yes", "yes", "no"])
    response = client.post(chair_act(congress, "close-poll"), {"poll": poll.pk}, follow=True)
    assert "The poll is closed: Adopt the rules?; adopted: 3 yes of 4 votes cast" in page(response)
    poll.refresh_from_db()
    assert poll.state == Poll.State.CLOSED and poll.tally[0] == {"choice": "yes", "votes": 3}


def test_chair_forms_sent_by_htmx_answer_with_their_section(congress, client):
    client.force_login(congress.union.organizer)
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(
        chair_act(congress, "check-out"), {"mandate": congress.mandate(0).pk}, **htmx
    )
    section = page(response)
    assert "Member c0 has left: 5 of 7 votes present" in section
    assert "<html" not in section and 'id="chair-presence-alert"' in section
    # A refusal goes to the section's alert slot, with its status.
    response = client.post(
        chair_act(congress, "check-out"), {"mandate": congress.mandate(0).pk}, **htmx
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#chair-presence-alert"
    assert "Member c0 is not present." in response.content.decode()


def test_chair_refusal_without_javascript_shows_the_desk_with_the_reason(congress, client):
    client.force_login(congress.union.organizer)
    response = client.post(chair_act(congress, "open-poll"), {"question": " ", "kind": "yes/no"})
    assert response.status_code == 400
    assert "The question needs a text of 1 to 500 characters." in response.content.decode()
    assert not Poll.objects.exists()


def test_a_non_organizer_is_refused_with_the_reason(congress, client):
    client.force_login(congress.user(1))
    reason = said(ONLY_ORGANIZERS.format(organization="Transit Union"))
    response = client.get(reverse("chair", args=["union", congress.session.pk]))
    assert response.status_code == 403 and reason in response.content.decode()
    response = client.post(chair_act(congress, "open-poll"), {"question": "Strike?"})
    assert response.status_code == 403 and reason in response.content.decode()
    response = client.post(chair_act(congress, "adjourn"), {"until": "never"})
    assert response.status_code == 403
    assert not Poll.objects.exists()
    congress.session.refresh_from_db()
    assert congress.session.state == "open"


def test_chair_runs_the_floor_and_the_session(congress, client):
    union = congress.union
    item = congress.session.agenda.get(position=2)
    client.force_login(union.organizer)
    client.post(chair_act(congress, "take-up"), {"item": item.pk})
    client.force_login(congress.user(3))
    response = client.post(
        reverse("seat-act", args=["union", congress.session.pk, "speak"]),
        {"mandate": congress.mandate(3).pk, "kind": "speech", "stance": "against"},
        follow=True,
    )
    assert "You are on the speakers&#x27; list." in page(response)
    client.force_login(union.organizer)
    response = client.post(chair_act(congress, "next-speaker"), follow=True)
    assert "Member c3 has the floor (speech)." in page(response)
    floor = page(client.get(reverse("session-part", args=["union", congress.session.pk, "floor"])))
    assert "Item 2: <strong>Elections</strong>" in floor and "Speaking: <strong>Member c3" in floor
    client.post(chair_act(congress, "close-speakers"))
    assert congress.session.agenda.get(position=2).speakers_closed
    client.post(chair_act(congress, "adjourn"), {"until": "tomorrow"})
    congress.session.refresh_from_db()
    assert congress.session.state == "adjourned"
    response = client.post(chair_act(congress, "open"), follow=True)
    assert "Resume the session" not in page(response)
    client.post(chair_act(congress, "close"))
    congress.session.refresh_from_db()
    assert congress.session.state == "closed"
    assert SpeakerRequest.objects.get().state == SpeakerRequest.State.SPEAKING


def test_an_election_called_nominated_answered_and_opened_through_the_pages(congress, client):
    union = congress.union
    client.force_login(union.organizer)
    client.post(chair_act(congress, "call-election"), {"body": "Editorial board", "seats": "2"})
    election = congress.session.elections.get()
    for index in (1, 2):
        response = client.post(
            chair_act(congress, "nominate"), {"election": election.pk, "member": f"c{index}"}
        )
        assert response.status_code == 302
    response = client.post(
        chair_act(congress, "nominate"), {"election": election.pk, "member": "x"}
    )
    assert response.status_code == 400 and "has the number" in response.content.decode()
    for index in (1, 2):
        client.force_login(congress.user(index))
        desk = page(client.get(reverse("delegate", args=["union"])))
        assert "You are nominated to Editorial board" in desk
        candidate = Candidate.objects.get(
            election=election, person=congress.mandate(index).delegate
        )
        client.post(
            reverse("answer-nomination", args=["union", candidate.pk]), {"answer": "accept"}
        )
    client.force_login(union.organizer)
    response = client.post(chair_act(congress, "open-ballot"), {"election": election.pk})
    assert response.status_code == 302
    poll = Poll.objects.get(election=election)
    assert poll.kind == Poll.Kind.RANKED and not poll.secret  # the box was not ticked


def test_an_outsider_learns_nothing_from_the_chair_forms(congress, client, outsider):
    client.force_login(outsider)
    for member in ("c1", "nobody"):
        response = client.post(chair_act(congress, "nominate"), {"election": 1, "member": member})
        assert response.status_code == 403
        assert (
            said(ONLY_ORGANIZERS.format(organization="Transit Union")) in response.content.decode()
        )


def test_changes_of_the_floor_reach_live_watchers(
    congress, monkeypatch, django_capture_on_commit_callbacks
):
    from sovet.live import events

    sent = []
    monkeypatch.setattr(events, "_send", lambda session, event: sent.append((session, event)))
    item = congress.session.agenda.get(position=1)
    with django_capture_on_commit_callbacks(execute=True):
        sessions.take_up_item(actor=congress.union.organizer, item=item)
        sessions.request_to_speak(actor=congress.user(1), item=item, mandate=congress.mandate(1))
        sessions.call_next_speaker(actor=congress.union.organizer, item=item)
        sessions.close_speakers_list(actor=congress.union.organizer, item=item)
    assert sent == [(congress.session.pk, {"type": "floor", "item": 1})] * 4


# A delegate's ballot


def test_a_delegate_sees_the_ballot_and_votes_once_with_one_receipt(congress, client):
    poll = poll_of(congress, secret=True)
    client.force_login(congress.user(0))
    url = reverse("ballot", args=["union", congress.session.pk])
    ballot = page(client.get(url))
    assert 'name="choice" value="abstain"' in ballot and "secret: you get a receipt" in ballot
    cast = reverse("cast-ballot", args=["union", poll.pk])
    form = {"mandate": congress.mandate(0).pk, "choice": "no"}
    first = page(client.post(cast, form, follow=True))
    code = CODE.search(first).group()
    assert f"Your ballot is cast. Your receipt: {code}" in first
    assert f"/o/union/receipts/{code}.json" in first and 'value="abstain"' not in first
    again = page(client.post(cast, form | {"choice": "yes"}, follow=True))
    assert f"Your receipt: {code}" in again
    assert Participation.objects.get(poll=poll).votes == 2
    desk = page(client.get(reverse("delegate", args=["union"])))
    assert code in desk and "Strike?" in desk
    close_poll(actor=congress.union.organizer, poll=poll)
    check = client.get(reverse("receipt", args=["union", code]))
    assert [b["choice"] for b in check.json()["ballots"]] == ["no", "no"]


def test_ranked_and_approval_ballots_take_their_forms(congress, client):
    ranked = poll_of(congress, question="Order", kind="ranked", options=["A", "B", "C"])
    approval = poll_of(congress, question="Approve", kind="approval", options=["A", "B", "C"])
    client.force_login(congress.user(1))
    mandate = congress.mandate(1).pk
    ballot = page(client.get(reverse("ballot", args=["union", congress.session.pk])))
    assert 'name="rank-3"' in ballot and 'type="checkbox" name="choice" value="B"' in ballot
    client.post(
        reverse("cast-ballot", args=["union", ranked.pk]),
        {"mandate": mandate, "rank-1": "C", "rank-2": "", "rank-3": "A"},
    )
    client.post(
        reverse("cast-ballot", args=["union", approval.pk]),
        {"mandate": mandate, "choice": ["A", "C"]},
    )
    ballots = dict(Participation.objects.values_list("poll", "ballot"))
    assert ballots[ranked.pk] == [{"choice": ["C", "A"], "votes": 1}]
    assert ballots[approval.pk] == [{"choice": ["A", "C"], "votes": 1}]
    response = client.post(
        reverse("cast-ballot", args=["union", ranked.pk]),
        {"mandate": congress.mandate(2).pk, "rank-1": "A"},
    )
    assert response.status_code == 403
    assert said(NOT_YOUR_MANDATE) in response.content.decode()


def test_a_ballot_without_a_choice_is_refused_with_the_choices(congress, client):
    poll = poll_of(congress)
    client.force_login(congress.user(1))
    response = client.post(
        reverse("cast-ballot", args=["union", poll.pk]), {"mandate": congress.mandate(1).pk}
    )
    assert response.status_code == 400
    assert "Choose one of: yes, no, abstain." in response.content.decode()
    assert not Participation.objects.exists()


def test_a_delegate_checks_out_and_back_in_from_the_ballot_page(congress, client):
    client.force_login(congress.user(4))
    url = reverse("seat-act", args=["union", congress.session.pk, "check-out"])
    response = client.post(url, {"mandate": congress.mandate(4).pk}, follow=True)
    assert "You are checked out: 6 of 7 votes present." in page(response)
    assert sessions.quorum(congress.session).present == 6
    response = client.post(url, {"mandate": congress.mandate(3).pk})
    assert response.status_code == 403


# The live congress page


def test_the_live_page_is_for_readers_of_the_record(congress, client, outsider):
    url = reverse("session", args=["union", congress.session.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 403
    assert said(RECORD_CLOSED.format(organization="Transit Union")) in response.content.decode()
    part = reverse("session-part", args=["union", congress.session.pk, "polls"])
    assert client.get(part).status_code == 403
    client.force_login(congress.user(5))
    live = page(client.get(url))
    assert 'data-live-socket="/ws/sessions/' in live and "Your ballot" in live
    assert "Chair this session" not in live
    assert 'data-quorum="present">7<' in live and "Quorum reached" in live
    assert (
        client.get(reverse("session-part", args=["union", congress.session.pk, "x"])).status_code
        == 404
    )


def test_a_secret_poll_shows_its_turnout_and_nothing_else_until_it_closes(congress, client):
    secret = poll_of(congress, secret=True, question="Secret?")
    open_vote = poll_of(congress, question="Open?")
    congress.vote(secret, ["no", "yes"])
    congress.vote(open_vote, ["no", "yes"])
    client.force_login(congress.user(5))
    polls = page(client.get(reverse("session-part", args=["union", congress.session.pk, "polls"])))
    secret_part, open_part = (
        polls.split(f'id="poll-{secret.pk}"')[1].split("</article>")[0],
        polls.split(f'id="poll-{open_vote.pk}"')[1].split("</article>")[0],
    )
    assert f'data-turnout="{secret.pk}">3<' in secret_part
    assert "nothing of what was voted shows until the poll closes" in secret_part
    assert "Votes so far" not in secret_part and '<td class="num">' not in secret_part
    assert "Votes so far" in open_part
    assert re.search(r'<th scope="row">no</th><td class="num">2</td>', open_part)
    close_poll(actor=congress.union.organizer, poll=secret)
    results = page(
        client.get(reverse("session-part", args=["union", congress.session.pk, "results"]))
    )
    assert "Secret?" in results and "Rejected: 1 yes of 3 votes cast" in results
    assert re.search(r'<th scope="row">no</th><td class="num">2</td>', results)


def test_the_hemicycle_groups_the_body_by_faction(congress, client):
    organization = congress.union.organization
    left = declare_faction(
        actor=congress.user(0), organization=organization, name="Left", platform=""
    )
    join_faction(actor=congress.user(1), faction=left)
    declare_faction(actor=congress.user(2), organization=organization, name="Right", platform="")
    sessions.check_out(
        actor=congress.user(2), session=congress.session, mandate=congress.mandate(2)
    )
    client.force_login(congress.user(5))
    part = page(
        client.get(reverse("session-part", args=["union", congress.session.pk, "hemicycle"]))
    )
    assert "5 of 6 delegates present" in part
    assert "Left: 2 of 2 present" in part and "Right: 0 of 1 present" in part
    assert "No faction: 3 of 3 present" in part
    assert part.count("<circle") == 6 and "Member c2 (Right, absent)" in part


def test_the_count_of_an_election_shows_as_rounds_and_transfers(congress, client):
    union = congress.union
    people = [mandate.delegate for _, mandate in congress.delegates[:3]]
    election = bodies.call_election(
        actor=union.organizer, session=congress.session, body_name="Board", seats=2
    )
    for index, person in enumerate(people):
        candidate = bodies.nominate(actor=union.organizer, election=election, person=person)
        bodies.answer_nomination(actor=congress.user(index), candidate=candidate, accept=True)
    poll = bodies.open_ballot(actor=union.organizer, election=election)
    a, b, c = (person.name for person in people)
    # Seven votes, quota 3: A has five first preferences, so a surplus of two moves to B and C.
    congress.vote(poll, [[a, b], [a, b], [a, c], [a, b], [b], [c]])
    close_poll(actor=union.organizer, poll=poll)
    client.force_login(congress.user(5))
    results = page(
        client.get(reverse("session-part", args=["union", congress.session.pk, "results"]))
    )
    election.refresh_from_db()
    assert f"Elected: <strong>{', '.join(election.result['elected'])}</strong>" in results
    assert "The count, round by round" in results
    assert 'Round 1<br><span class="muted">first preferences' in results
    assert (
        f'<th scope="row">{a}</th><td class="num elected">5 <span class="mark">elected' in results
    )
    assert '<th scope="row">Quota</th><td class="num">3</td>' in results
    assert 'class="transfers"' in results and f"{a}: \u22122" in results


def test_live_parts_read_in_a_fixed_number_of_queries(congress, client):
    """Thousands watch a congress: a part's queries do not grow with its ballots or delegates."""
    first = poll_of(congress, question="First?")
    congress.vote(first, ["yes"])
    close_poll(actor=congress.union.organizer, poll=first)
    poll = poll_of(congress)
    client.force_login(congress.user(5))

    def queries(part):
        with CaptureQueriesContext(connection) as done:
            page(client.get(reverse("session-part", args=["union", congress.session.pk, part])))
        return len(done)

    parts = ("polls", "hemicycle", "floor", "results")
    before = [queries(part) for part in parts]
    congress.vote(poll, ["yes", "no", "yes", "abstain", "yes"])
    close_poll(actor=congress.union.organizer, poll=poll)
    poll_of(congress, question="Again?")
    assert [queries(part) for part in parts] == before
    assert max(before) <= 17
    with CaptureQueriesContext(connection) as done:
        page(client.get(reverse("session", args=["union", congress.session.pk])))
    assert len(done) <= 30


# The pure drawings


@pytest.mark.parametrize("total", [*range(0, 60), 99, 100, 101, 433, 1000, 5000])
def test_hemicycle_seats_fill_rows_of_a_half_circle(total):
    placed = hemicycle.seats(total)
    assert len(placed) == total
    rows = {seat.row for seat in placed}
    assert rows == set(range(len(rows)))
    for seat in placed:
        radius = math.hypot(seat.x, seat.y)
        assert hemicycle.INNER - 1e-9 <= radius <= 1 + 1e-9 and seat.y >= -1e-9
    # Left to right: the angle never grows along the order.
    angles = [math.atan2(seat.y, seat.x) for seat in placed]
    assert all(later <= earlier + 1e-9 for earlier, later in itertools.pairwise(angles))
    # Seats of one row are never closer than two dots' radii.
    if total <= 500:
        gap = 2 * hemicycle.seat_radius(total)
        for row in rows:
            in_row = [seat for seat in placed if seat.row == row]
            for one, two in itertools.pairwise(in_row):
                assert math.hypot(one.x - two.x, one.y - two.y) > gap


def test_hemicycle_drawing_is_deterministic_and_keeps_factions_together():
    groups = [
        hemicycle.Group(
            "Left", hemicycle.colour(0), [hemicycle.Delegate(f"L{i}", i % 3 > 0) for i in range(20)]
        ),
        hemicycle.Group(
            "Centre", hemicycle.colour(1), [hemicycle.Delegate(f"C{i}", True) for i in range(7)]
        ),
        hemicycle.Group("<None>", hemicycle.colour(None), [hemicycle.Delegate("N & M", False)]),
    ]
    drawing = hemicycle.svg(groups, label="The body")
    assert drawing == hemicycle.svg(groups, label="The body")
    colours = re.findall(r'stroke="(#[0-9a-f]{6})"', drawing)
    assert len(colours) == 28
    runs = [
        colour for index, colour in enumerate(colours) if index == 0 or colours[index - 1] != colour
    ]
    assert runs == [hemicycle.colour(0), hemicycle.colour(1), hemicycle.colour(None)]
    assert drawing.count('class="absent"') == 8
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', drawing).groups())
    for x, y, r in re.findall(r'cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', drawing):
        x, y, r = float(x), float(y), float(r) * 1.25  # with the rim
        assert r <= x <= width - r and r <= y <= height - r
    assert "N &amp; M (&lt;None&gt;, absent)" in drawing and "<None>" not in drawing
    assert hemicycle.svg([], label="Nobody").count("<circle") == 0


def test_rounds_table_orders_candidates_and_shows_exact_values():
    result = {
        "elected": ["B", "A"],
        "rounds": [
            {
                "round": 1,
                "action": "first preferences",
                "subject": None,
                "quota": 4,
                "votes": {"C": 2, "A": 3, "B": 5},
                "transfers": {},
                "exhausted": 0,
                "elected": ["B"],
                "excluded": [],
                "note": "",
            },
            {
                "round": 2,
                "action": "surplus",
                "subject": "B",
                "quota": 4,
                "votes": {"C": "7/3", "A": "11/3", "B": 4},
                "transfers": {"B": -1, "A": "2/3", "C": "1/3"},
                "exhausted": 0,
                "elected": [],
                "excluded": ["C"],
                "note": "",
            },
            {
                "round": 3,
                "action": "exclusion",
                "subject": "C",
                "quota": 4,
                "votes": {"A": "16/3", "B": 4},
                "transfers": {"A": "5/3", "C": "-7/3"},
                "exhausted": "2/3",
                "elected": ["A"],
                "excluded": [],
                "note": "",
            },
        ],
    }
    table = charts.rounds_table(result)
    assert [row["name"] for row in table["rows"]] == ["B", "A", "C"]
    assert [cell.text for cell in table["rows"][1]["cells"]] == ["3", "3.66666", "5.33333"]
    assert (
        table["rows"][2]["cells"][1].mark == "excluded" and table["rows"][2]["cells"][2].text == ""
    )
    assert table["exhausted"] == ["0", "0", "0.66666"] and table["quota"] == ["4", "4", "4"]
    drawing = charts.transfers_svg(result, label="Moves")
    assert drawing.count("<rect") == 3 + 3  # two rounds' transfers and the exhausted pile
    assert "Non-transferable: +0.66666" in drawing
    assert charts.transfers_svg({"elected": [], "rounds": result["rounds"][:1]}, label="x") == ""
