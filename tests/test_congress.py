"""Sessions, credentials, presence and quorum, speakers, motions and amendments, polls with
statutory majorities, factions, and elections of bodies: through the actions, checking the
stored state and the record."""

import pytest

from sovet.congress import bodies, factions, motions, sessions
from sovet.congress.models import Amendment, BodySeat, Motion, Session, SpeakerRequest
from sovet.errors import Invalid, NotAllowed
from sovet.minutes.sentences import SENTENCES, sentence
from sovet.organizations.actions import amend_statute
from sovet.organizations.selectors import current_statute
from sovet.polls.actions import cast_ballot, close_poll, open_poll
from sovet.record.models import RecordEntry, TreeHead

LENIN = (
    "A member of the Party is one who accepts its programme and supports the Party both "
    "financially and by personal participation in one of the Party organisations."
)
MARTOV = (
    "A member of the Party is one who accepts its programme, supports the Party financially, "
    "and renders it regular personal assistance under the direction of one of its organisations."
)


@pytest.fixture(autouse=True)
def every_entry_reads_as_a_sentence_in_the_minutes(request):
    """After each test, every entry it recorded has its own sentence in the minutes."""
    if "congress" not in request.fixturenames:
        yield
        return
    organization = request.getfixturevalue("congress").union.organization
    yield
    for entry in RecordEntry.objects.filter(organization=organization):
        if entry.action != "poll.ballot":
            said = sentence(entry.action, entry.data)
            assert entry.action in SENTENCES and not said.startswith(entry.action), said


def last(organization, action):
    return RecordEntry.objects.filter(organization=organization, action=action).last()


def test_session_is_convened_numbered_and_closed_with_a_signed_head(congress):
    union, session = congress.union, congress.session
    assert session.number == 1
    assert [item.title for item in session.agenda.all()] == ["Rules of the party", "Elections"]
    sessions.adjourn_session(actor=union.organizer, session=session, until="London")
    session.refresh_from_db()
    assert session.state == Session.State.ADJOURNED
    with pytest.raises(Invalid, match="open it first"):
        sessions.take_up_item(actor=union.organizer, item=session.agenda.first())
    sessions.open_session(actor=union.organizer, session=session)
    assert last(union.organization, "session.resumed") is not None
    sessions.close_session(actor=union.organizer, session=session)
    head = TreeHead.objects.filter(organization=union.organization).last()
    assert head.reason == TreeHead.Reason.SESSION_CLOSED
    assert head.tree_size == last(union.organization, "session.closed").seq
    with pytest.raises(Invalid, match="cannot be"):
        sessions.open_session(actor=union.organizer, session=session)


def test_credentials_refusal_states_a_reason_and_only_council_mandates(congress, outsider):
    union, session = congress.union, congress.session
    with pytest.raises(Invalid, match="states its reason"):
        sessions.decide_credentials(
            actor=union.organizer, session=session, mandates=[congress.mandate(5)], accredited=False
        )
    with pytest.raises(NotAllowed):
        sessions.decide_credentials(actor=outsider, session=session, mandates=[congress.mandate(5)])
    sessions.decide_credentials(
        actor=union.organizer,
        session=session,
        mandates=[congress.mandate(5)],
        accredited=False,
        reason="mandate not in order",
    )
    quorum = sessions.quorum(session)
    assert (quorum.present, quorum.entitled) == (6, 7)
    entry = last(union.organization, "credentials.refused")
    assert entry.data["reason"] == "mandate not in order"


def test_walkout_is_one_event_and_can_cost_the_quorum(congress):
    union, session = congress.union, congress.session
    amend_statute(
        actor=union.organizer, organization=union.organization, changes={"quorum_share": "2/3"}
    )
    assert sessions.quorum(session).to_json() == {
        "present": 7,
        "entitled": 7,
        "needed": 5,
        "reached": True,
    }
    after = sessions.walk_out(
        actor=union.organizer,
        session=session,
        mandates=[congress.mandate(0), congress.mandate(1)],
        reason="the Bund's autonomy was refused",
    )
    assert (after.present, after.reached) == (4, False)
    entry = last(union.organization, "presence.walkout")
    assert entry.data["votes"] == 3 and len(entry.data["mandates"]) == 2
    with pytest.raises(Invalid, match="lacks quorum: 4 of 7 votes present, 5 needed"):
        open_poll(actor=union.organizer, council=union.council, session=session, question="Q?")
    amend_statute(
        actor=union.organizer,
        organization=union.organization,
        changes={"polls_without_quorum": True},
    )
    poll = open_poll(actor=union.organizer, council=union.council, session=session, question="Q?")
    with pytest.raises(Invalid, match="not an accredited delegate present"):
        cast_ballot(actor=congress.user(0), poll=poll, mandate=congress.mandate(0), choice="yes")


def test_poll_applies_the_statutory_majority_and_names_its_base(congress):
    union, session = congress.union, congress.session
    poll = open_poll(
        actor=union.organizer,
        council=union.council,
        session=session,
        question="Adopt?",
        majority_rule="two_thirds",
    )
    # Two votes of the first delegate and two more yes: 4 yes, 2 no, 1 abstain.
    congress.vote(poll, ["yes", "yes", "yes", "no", "no", "abstain"])
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert poll.result["adopted"] is True
    assert poll.result["base"] == "votes cast"
    assert (
        poll.result["sentence"] == "adopted: 4 yes of 6 votes cast (at least two thirds needed: 4)"
    )
    absolute = open_poll(
        actor=union.organizer,
        council=union.council,
        session=session,
        question="Adopt absolutely?",
        majority_rule="absolute",
    )
    congress.vote(absolute, ["yes", "no", "yes", None, None, None])
    close_poll(actor=union.organizer, poll=absolute)
    absolute.refresh_from_db()
    assert absolute.result["adopted"] is False
    assert "3 yes of 7 votes entitled" in absolute.result["sentence"]


def test_split_votes_only_where_the_statute_allows(congress):
    union, session = congress.union, congress.session
    poll = open_poll(actor=union.organizer, council=union.council, session=session, question="Q?")
    with pytest.raises(Invalid, match="does not allow split votes"):
        cast_ballot(
            actor=congress.user(0),
            poll=poll,
            mandate=congress.mandate(0),
            split={"yes": 1, "no": 1},
        )
    amend_statute(
        actor=union.organizer, organization=union.organization, changes={"split_votes": True}
    )
    with pytest.raises(Invalid, match="add up to them"):
        cast_ballot(
            actor=congress.user(0), poll=poll, mandate=congress.mandate(0), split={"yes": 1}
        )
    cast_ballot(
        actor=congress.user(0), poll=poll, mandate=congress.mandate(0), split={"yes": 1, "no": 1}
    )
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert poll.tally == [
        {"choice": "yes", "votes": 1},
        {"choice": "no", "votes": 1},
        {"choice": "abstain", "votes": 0},
    ]


def test_motions_are_numbered_supported_and_admitted_per_statute(congress):
    union, session = congress.union, congress.session
    amend_statute(
        actor=union.organizer, organization=union.organization, changes={"motion_supporters": 3}
    )
    first = motions.submit_motion(
        actor=congress.user(1), session=session, mandate=congress.mandate(1), title="A", text="a"
    )
    second = motions.submit_motion(
        actor=congress.user(2), session=session, mandate=congress.mandate(2), title="B", text="b"
    )
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(NotAllowed, match="only the delegate"):
        motions.support_motion(actor=congress.user(1), motion=first, mandate=congress.mandate(2))
    with pytest.raises(Invalid, match="has 1 supporters; the statute asks 3"):
        motions.admit_motion(actor=union.organizer, motion=first)
    motions.support_motion(actor=congress.user(2), motion=first, mandate=congress.mandate(2))
    with pytest.raises(Invalid, match="supports this motion already"):
        motions.support_motion(actor=congress.user(2), motion=first, mandate=congress.mandate(2))
    assert (
        motions.support_motion(actor=congress.user(3), motion=first, mandate=congress.mandate(3))
        == 3
    )
    admitted = motions.admit_motion(actor=union.organizer, motion=first)
    assert admitted.state == Motion.State.ADMITTED
    motions.withdraw_motion(actor=congress.user(2), motion=second, mandate=congress.mandate(2))
    with pytest.raises(Invalid, match="too late"):
        motions.withdraw_motion(actor=congress.user(2), motion=second, mandate=congress.mandate(2))


def _admitted(congress, text=LENIN, **kwargs):
    motion = motions.submit_motion(
        actor=congress.user(1),
        session=congress.session,
        mandate=congress.mandate(1),
        title="Paragraph 1 of the rules",
        text=text,
        **kwargs,
    )
    return motions.admit_motion(actor=congress.union.organizer, motion=motion)


def _amended(congress):
    """Paragraph 1 in Lenin's words, an amendment towards Martov's, and one amending that."""
    motion = _admitted(congress)
    amendment = motions.submit_amendment(
        actor=congress.user(2),
        motion=motion,
        mandate=congress.mandate(2),
        old="personal participation in",
        new="regular personal assistance under the direction of",
    )
    sub = motions.submit_amendment(
        actor=congress.user(3),
        motion=motion,
        mandate=congress.mandate(3),
        old="regular ",
        new="",
        amends=amendment,
    )
    return motion, amendment, sub


def test_amendments_and_sub_amendments_change_the_text(congress):
    union = congress.union
    motion, amendment, sub = _amended(congress)
    with pytest.raises(Invalid, match="occur 0 times"):
        motions.submit_amendment(
            actor=congress.user(3), motion=motion, mandate=congress.mandate(3), old="xyz", new="q"
        )
    with pytest.raises(Invalid, match="sub-amendments to decide first"):
        motions.put_amendment(actor=union.organizer, amendment=amendment)
    poll = motions.put_amendment(actor=union.organizer, amendment=sub)
    with pytest.raises(Invalid, match="has a poll open"):
        motions.put_amendment(actor=union.organizer, amendment=amendment)
    congress.vote(poll, ["no", "no", "no", "yes", "yes", "yes"])
    close_poll(actor=union.organizer, poll=poll)
    assert Amendment.objects.get(pk=sub.pk).state == Amendment.State.REJECTED
    poll = motions.put_amendment(actor=union.organizer, amendment=amendment)
    congress.vote(poll, ["yes", "yes", "yes", "no", "no", "no"])
    close_poll(actor=union.organizer, poll=poll)
    motion.refresh_from_db()
    assert "regular personal assistance under the direction of one of" in motion.text
    assert motion.original_text == LENIN
    assert last(union.organization, "amendment.adopted").data["text"] == motion.text


def test_competing_formulations_then_the_survivor_against_the_status_quo(congress):
    union = congress.union
    motion = _admitted(congress)
    motions.propose_formulation(
        actor=congress.user(1),
        motion=motion,
        mandate=congress.mandate(1),
        label="Lenin",
        text=LENIN,
    )
    motions.propose_formulation(
        actor=congress.user(2),
        motion=motion,
        mandate=congress.mandate(2),
        label="Martov",
        text=MARTOV,
    )
    with pytest.raises(Invalid, match="competing formulations to decide first"):
        motions.put_motion(actor=union.organizer, motion=motion)
    poll = motions.put_formulations(actor=union.organizer, motion=motion)
    assert poll.options == ["Lenin", "Martov", "abstain"]
    congress.vote(poll, ["Martov", "Lenin", "Martov", "Martov", "Lenin", "Lenin"])
    close_poll(actor=union.organizer, poll=poll)
    assert last(union.organization, "formulation.eliminated").data["eliminated"] == "Lenin"
    final = motions.put_motion(actor=union.organizer, motion=motion)
    motion.refresh_from_db()
    assert motion.text == MARTOV and motion.state == Motion.State.VOTING
    congress.vote(final, ["yes", "yes", "no", "yes", "abstain", "no"])
    close_poll(actor=union.organizer, poll=final)
    motion.refresh_from_db()
    assert motion.state == Motion.State.ADOPTED
    assert last(union.organization, "motion.adopted").data["text"] == MARTOV


def test_adopted_statute_amendment_makes_the_next_statute_version(congress):
    union = congress.union
    before = current_statute(union.organization).version
    motion = _admitted(
        congress,
        text="Members are those who assist.",
        kind=Motion.Kind.STATUTE_AMENDMENT,
        statute_changes={"criterion": "assistance"},
    )
    poll = motions.put_motion(actor=union.organizer, motion=motion)
    assert poll.majority_rule == "two_thirds"
    congress.vote(poll, ["yes", "yes", "yes", "yes", "no", "no"])
    close_poll(actor=union.organizer, poll=poll)
    statute = current_statute(union.organization)
    assert (statute.version, statute.criterion) == (before + 1, "assistance")


def test_factions_show_in_the_roll_call(congress):
    union = congress.union
    iskra = factions.declare_faction(
        actor=congress.user(0), organization=union.organization, name="Iskra", platform="..."
    )
    bund = factions.declare_faction(
        actor=congress.user(1), organization=union.organization, name="Bund", platform="..."
    )
    factions.join_faction(actor=congress.user(2), faction=iskra)
    factions.join_faction(actor=congress.user(1), faction=iskra)  # leaves the Bund
    factions.join_faction(actor=congress.user(3), faction=bund)
    with pytest.raises(Invalid, match="in Iskra already"):
        factions.join_faction(actor=congress.user(2), faction=iskra)
    poll = open_poll(
        actor=union.organizer, council=union.council, session=congress.session, question="Q?"
    )
    congress.vote(poll, ["yes", "yes", "no", "no", "abstain", None])
    close_poll(actor=union.organizer, poll=poll)
    by_faction = last(union.organization, "poll.closed").data["by_faction"]
    assert by_faction == [
        {"faction": "", "votes": {"yes": 0, "no": 0, "abstain": 1}},
        {"faction": "Bund", "votes": {"yes": 0, "no": 1, "abstain": 0}},
        {"faction": "Iskra", "votes": {"yes": 3, "no": 1, "abstain": 0}},
    ]


def test_election_of_a_body_counts_by_the_statute_and_seats_the_elected(congress):
    union = congress.union
    people = [mandate.delegate for _, mandate in congress.delegates]
    election = bodies.call_election(
        actor=union.organizer, session=congress.session, body_name="Editorial board", seats=2
    )
    candidates = [
        bodies.nominate(actor=union.organizer, election=election, person=person)
        for person in people[:4]
    ]
    for index, candidate in enumerate(candidates):
        bodies.answer_nomination(actor=congress.user(index), candidate=candidate, accept=index != 3)
    with pytest.raises(NotAllowed, match="only the nominee"):
        bodies.answer_nomination(actor=congress.user(0), candidate=candidates[1], accept=False)
    poll = bodies.open_ballot(actor=union.organizer, election=election)
    names = [person.name for person in people[:3]]
    assert poll.options == names and poll.secret
    # First preferences: the first name 3 (two votes and one), the second 3, the third 1.
    rankings = [
        [names[0], names[1]],
        [names[1], names[0]],
        [names[1]],
        [names[1], names[2]],
        [names[2], names[1]],
        [names[0]],
    ]
    codes = [
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice=ranking)
        for (user, mandate), ranking in zip(congress.delegates, rankings, strict=True)
    ]
    assert all(codes)
    close_poll(actor=union.organizer, poll=poll)
    election.refresh_from_db()
    seated = set(
        BodySeat.objects.filter(body=election.body, active=True).values_list(
            "person__name", flat=True
        )
    )
    assert seated == {names[0], names[1]}
    counted = last(union.organization, "election.counted")
    assert counted.data["ballots"] == 7 and counted.data["method"] == "scottish-stv"


def test_co_option_where_the_statute_allows_and_resignation(congress):
    union = congress.union
    people = [mandate.delegate for _, mandate in congress.delegates]
    election = bodies.call_election(
        actor=union.organizer, session=congress.session, body_name="Board", seats=2
    )
    candidate = bodies.nominate(actor=union.organizer, election=election, person=people[0])
    bodies.answer_nomination(actor=congress.user(0), candidate=candidate, accept=True)
    poll = bodies.open_ballot(actor=union.organizer, election=election, secret=False)
    congress.vote(poll, [[people[0].name]] * 6)
    close_poll(actor=union.organizer, poll=poll)
    body = election.body
    with pytest.raises(Invalid, match="does not allow co-option"):
        bodies.co_opt(actor=union.organizer, body=body, person=people[1])
    amend_statute(
        actor=union.organizer, organization=union.organization, changes={"co_option": True}
    )
    bodies.co_opt(actor=union.organizer, body=body, person=people[1], reason="old editors back")
    with pytest.raises(Invalid, match="no free seat"):
        bodies.co_opt(actor=union.organizer, body=body, person=people[2])
    seat = BodySeat.objects.get(body=body, person=people[0], active=True)
    bodies.resign_seat(actor=congress.user(0), seat=seat, reason="in protest")
    bodies.replace_member(actor=union.organizer, body=body, person=people[2])
    assert set(BodySeat.objects.filter(body=body, active=True).values_list("how", flat=True)) == {
        "co-opted",
        "replacement",
    }


def test_speakers_list_order_points_of_order_and_closing(congress):
    union, session = congress.union, congress.session
    session.alternate_speakers = True
    session.save()
    item = session.agenda.first()
    sessions.take_up_item(actor=union.organizer, item=item)
    ask = sessions.request_to_speak
    ask(actor=congress.user(1), item=item, mandate=congress.mandate(1), stance="for")
    ask(actor=congress.user(2), item=item, mandate=congress.mandate(2), stance="for")
    ask(actor=congress.user(3), item=item, mandate=congress.mandate(3), stance="against")
    order = [sessions.call_next_speaker(actor=union.organizer, item=item).mandate_id]
    ask(actor=congress.user(1), item=item, mandate=congress.mandate(1), stance="for")  # second
    ask(actor=congress.user(4), item=item, mandate=congress.mandate(4), kind="point of order")
    while (speaker := sessions.call_next_speaker(actor=union.organizer, item=item)) is not None:
        order.append((speaker.mandate_id, speaker.kind, speaker.speech))
    assert order == [
        congress.mandate(1).pk,
        (congress.mandate(4).pk, "point of order", 0),
        (congress.mandate(3).pk, "speech", 1),  # alternation: against after for
        (congress.mandate(2).pk, "speech", 1),
        (congress.mandate(1).pk, "speech", 2),  # second speeches after all first ones
    ]
    sessions.close_speakers_list(actor=union.organizer, item=item)
    with pytest.raises(Invalid, match="closed"):
        ask(actor=congress.user(5), item=item, mandate=congress.mandate(5))
    point = ask(
        actor=congress.user(5), item=item, mandate=congress.mandate(5), kind="point of order"
    )
    assert point.state == SpeakerRequest.State.WAITING


def test_a_congress_exports_and_imports_with_its_record(congress, tmp_path):
    from sovet.archive.verify import verify_export
    from tests.test_archive import _sovet, export

    test_amendments_and_sub_amendments_change_the_text(congress)
    test_election_of_a_body_counts_by_the_statute_and_seats_the_elected(congress)
    path = export(congress.union, tmp_path)
    verified = verify_export(path)
    other = tmp_path / "other"
    assert _sovet(other, "setup").returncode == 0
    imported = _sovet(other, "import", str(path))
    assert imported.returncode == 0, imported.stderr
    reexport = tmp_path / "again.jsonl"
    assert _sovet(other, "export", "union", "-o", str(reexport)).returncode == 0
    again = verify_export(reexport)
    assert again.rows == verified.rows and again.entries == verified.entries + 2


def test_motion_page_shows_the_text_with_changes_marked(congress, client, outsider):
    test_amendments_and_sub_amendments_change_the_text(congress)
    motion = Motion.objects.get(organization=congress.union.organization)
    url = f"/o/union/motions/{motion.number}/"
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(congress.user(2))
    page = client.get(url).content.decode()
    assert "<del>participation in</del>" in page
    assert "<ins>assistance under the direction of</ins>" in page
    assert "adopted" in page
    listing = client.get("/o/union/congress/").content.decode()
    assert "Paragraph 1 of the rules" in listing and "Second Congress" in listing
    assert client.get("/o/union/motions/999/").status_code == 404


def test_minutes_of_a_session(congress, client, tmp_path):
    from sovet import cli

    union, session = congress.union, congress.session
    sessions.close_session(actor=union.organizer, session=session)
    path = tmp_path / "minutes.md"
    assert cli.main(["minutes", "union", "--session", str(session.pk), "-o", str(path)]) == 0
    text = path.read_text()
    assert text.startswith("# Minutes of the Second Congress, Union Council")
    assert "Union Council convened: Second Congress (session 1)" in text
    assert "The session closed." in text
    assert "Member c0 admitted" not in text  # before the session
    client.force_login(union.organizer)
    assert client.get(f"/o/union/minutes.pdf?session={session.pk}").status_code == 200
    assert client.get("/o/union/minutes.md?session=999").status_code == 400


def test_an_adopted_sub_amendment_changes_the_amendment_then_the_motion(congress):
    union = congress.union
    motion, amendment, sub = _amended(congress)
    for proposal in (sub, amendment):
        poll = motions.put_amendment(actor=union.organizer, amendment=proposal)
        congress.vote(poll, ["yes", "yes", "yes", "no", "no", "no"])
        close_poll(actor=union.organizer, poll=poll)
    amendment.refresh_from_db()
    motion.refresh_from_db()
    assert amendment.new == "personal assistance under the direction of"
    assert "by personal assistance under the direction of one of the Party" in motion.text


def test_referral_and_the_states_a_motion_cannot_leave(congress):
    union = congress.union
    motion = _admitted(congress)
    referred = motions.refer_motion(actor=union.organizer, motion=motion, to="the Rules Commission")
    assert referred.state == Motion.State.REFERRED
    assert last(union.organization, "motion.referred").data["to"] == "the Rules Commission"
    with pytest.raises(Invalid, match="not admitted"):
        motions.put_motion(actor=union.organizer, motion=motion)
    with pytest.raises(Invalid, match="can no longer be amended"):
        motions.submit_amendment(
            actor=congress.user(2), motion=motion, mandate=congress.mandate(2), old="Party", new="x"
        )
    with pytest.raises(Invalid, match="too late to withdraw"):
        motions.withdraw_motion(actor=congress.user(1), motion=motion, mandate=congress.mandate(1))
    submitted = motions.submit_motion(
        actor=congress.user(1),
        session=congress.session,
        mandate=congress.mandate(1),
        title="B",
        text="b",
    )
    with pytest.raises(Invalid, match="not admitted"):
        motions.refer_motion(actor=union.organizer, motion=submitted, to="x")
    with pytest.raises(NotAllowed, match="only the delegate who submitted"):
        motions.withdraw_motion(
            actor=congress.user(2), motion=submitted, mandate=congress.mandate(2)
        )


def test_check_out_and_in_again_move_the_quorum(congress, outsider):
    union, session = congress.union, congress.session
    assert (
        sessions.check_out(
            actor=congress.user(1), session=session, mandate=congress.mandate(1)
        ).present
        == 6
    )
    with pytest.raises(Invalid, match="not present"):
        sessions.check_out(actor=congress.user(1), session=session, mandate=congress.mandate(1))
    with pytest.raises(NotAllowed):
        sessions.check_in(actor=congress.user(2), session=session, mandate=congress.mandate(1))
    assert (
        sessions.check_in(
            actor=union.organizer, session=session, mandate=congress.mandate(1)
        ).present
        == 7
    )
    with pytest.raises(Invalid, match="present already"):
        sessions.check_in(actor=congress.user(1), session=session, mandate=congress.mandate(1))
    assert last(union.organization, "presence.left").data["quorum"]["present"] == 6


@pytest.mark.parametrize(
    ("rule", "base", "choices", "adopted", "sentence"),
    [
        # 7 votes present: the first delegate carries two.
        ("simple", "", ["yes", "no", "no", "abstain", None, None], False, "2 yes of 4 votes cast"),
        ("simple", "", ["yes", "yes", "no", "abstain", "abstain", "abstain"], True, "3 yes of 4"),
        (
            "three_quarters",
            "present",
            ["yes", "yes", "yes", "yes", "no", None],
            False,
            "5 yes of 7",
        ),
        (
            "three_quarters",
            "present",
            ["yes", "yes", "yes", "yes", "yes", "no"],
            True,
            "6 yes of 7",
        ),
        ("two_thirds", "entitled", ["yes", "yes", "yes", None, None, None], False, "4 yes of 7"),
        ("two_thirds", "cast", ["yes", "yes", "yes", None, None, "no"], True, "4 yes of 5"),
    ],
)
def test_each_rule_with_its_base_ties_and_abstentions(
    congress, rule, base, choices, adopted, sentence
):
    union = congress.union
    poll = open_poll(
        actor=union.organizer,
        council=union.council,
        session=congress.session,
        question="Q?",
        majority_rule=rule,
        majority_base=base,
    )
    congress.vote(poll, choices)
    close_poll(actor=union.organizer, poll=poll)
    poll.refresh_from_db()
    assert poll.result["adopted"] is adopted
    assert sentence in poll.result["sentence"]
    assert poll.result["base"] == f"votes {base or 'cast'}"


def test_a_rule_with_the_wrong_base_is_refused(congress):
    with pytest.raises(Invalid, match="a simple majority counts the votes cast"):
        open_poll(
            actor=congress.union.organizer,
            council=congress.union.council,
            session=congress.session,
            question="Q?",
            majority_rule="simple",
            majority_base="entitled",
        )


def test_admin_lists_the_congress_read_only(congress, admin_client):
    test_election_of_a_body_counts_by_the_statute_and_seats_the_elected(congress)
    _admitted(congress)
    for path in ("session", "motion", "faction", "body", "election"):
        assert admin_client.get(f"/admin/congress/{path}/").status_code == 200
    assert admin_client.get("/admin/polls/poll/").status_code == 200
    motion = Motion.objects.get(organization=congress.union.organization)
    assert admin_client.get(f"/admin/congress/motion/{motion.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/congress/motion/{motion.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/polls/secretballot/").status_code == 404
