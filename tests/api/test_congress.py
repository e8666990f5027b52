"""A session over HTTP: presence, speakers, a motion from submission to adoption, an election."""

from sovet.congress.models import Motion
from sovet.record.models import RecordEntry


def _vote(api, congress, poll, choices):
    for index, choice in enumerate(choices):
        status, _ = api(congress.user(index)).post(
            f"/o/union/polls/{poll}/ballots",
            {"mandate": congress.mandate(index).pk, "choice": choice},
        )
        assert status == 200


def test_a_session_shows_its_quorum_agenda_and_credentials(api, congress):
    status, session = api(congress.user(5)).get(f"/o/union/sessions/{congress.session.pk}")
    assert status == 200
    assert session["state"] == "open"
    assert session["quorum"] == {"present": 7, "entitled": 7, "needed": 4, "reached": True}
    assert [item["title"] for item in session["agenda"]] == ["Rules of the party", "Elections"]
    assert len(session["credentials"]) == 6 and all(c["present"] for c in session["credentials"])
    _, sessions = api(congress.user(5)).get("/o/union/sessions")
    assert [s["title"] for s in sessions] == ["Second Congress"]


def test_a_delegate_checks_out_and_the_chair_walks_two_out(api, congress):
    url = f"/o/union/sessions/{congress.session.pk}"
    status, quorum = api(congress.user(5)).post(
        f"{url}/check-out", {"mandate": congress.mandate(5).pk}
    )
    assert status == 200 and quorum["present"] == 6
    status, refusal = api(congress.user(5)).post(
        f"{url}/check-out", {"mandate": congress.mandate(4).pk}
    )
    assert status == 403 and refusal["code"] == "not_allowed"
    mandates = [congress.mandate(3).pk, congress.mandate(4).pk]
    status, quorum = api(congress.union.organizer).post(
        f"{url}/walkout", {"mandates": mandates, "reason": "the rules were broken"}
    )
    assert status == 200 and quorum == {"present": 4, "entitled": 7, "needed": 4, "reached": True}


def test_speakers_request_the_floor_and_the_chair_gives_it(api, congress):
    chair = api(congress.union.organizer)
    item = f"/o/union/sessions/{congress.session.pk}/agenda/1"
    status, taken = chair.post(f"{item}/take-up")
    assert status == 200 and taken["current"] is True
    for index in (2, 1):
        status, _ = api(congress.user(index)).post(
            f"{item}/speakers", {"mandate": congress.mandate(index).pk, "stance": "for"}
        )
        assert status == 201
    status, called = chair.post(f"{item}/speakers/next")
    assert status == 200 and called["speaker"]["delegate"]["name"] == "Member c2"
    _, speakers = api(congress.user(0)).get(f"{item}/speakers")
    assert [(s["delegate"]["name"], s["state"]) for s in speakers] == [
        ("Member c2", "speaking"),
        ("Member c1", "waiting"),
    ]
    assert chair.post(f"{item}/speakers/close")[1]["speakers_closed"] is True
    status, refusal = api(congress.user(3)).post(
        f"{item}/speakers", {"mandate": congress.mandate(3).pk}
    )
    assert (status, refusal["code"]) == (400, "invalid")


def test_a_motion_is_submitted_amended_put_and_adopted(api, congress):
    chair = api(congress.union.organizer)
    status, motion = api(congress.user(1)).post(
        f"/o/union/sessions/{congress.session.pk}/motions",
        {"mandate": congress.mandate(1).pk, "title": "Eight hours", "text": "Work ten hours."},
    )
    assert status == 201 and motion["number"] == 1 and motion["supporters"] == ["Member c1"]
    url = "/o/union/motions/1"
    assert api(congress.user(2)).post(f"{url}/supports", {"mandate": congress.mandate(2).pk}) == (
        200,
        {"supporters": 2},
    )
    assert chair.post(f"{url}/admit")[1]["state"] == "admitted"
    status, amendment = api(congress.user(3)).post(
        f"{url}/amendments", {"mandate": congress.mandate(3).pk, "old": "ten", "new": "eight"}
    )
    assert status == 201 and amendment["number"] == 1

    status, poll = chair.post(f"{url}/amendments/1/put", {})
    assert status == 201 and poll["purpose"] == "amendment" and poll["motion"] == 1
    _vote(api, congress, poll["id"], ["yes", "yes", "no"])
    chair.post(f"/o/union/polls/{poll['id']}/close")

    status, poll = chair.post(f"{url}/put", {})
    assert status == 201 and poll["purpose"] == "motion"
    _vote(api, congress, poll["id"], ["yes", "yes", "yes", "no"])
    chair.post(f"/o/union/polls/{poll['id']}/close")

    status, adopted = api(congress.user(4)).get(url)
    assert status == 200
    assert adopted["state"] == "adopted" and adopted["text"] == "Work eight hours."
    assert adopted["original_text"] == "Work ten hours."
    assert [a["state"] for a in adopted["amendments"]] == ["adopted"]
    assert len(adopted["polls"]) == 2
    assert Motion.objects.get().state == Motion.State.ADOPTED
    _, listed = api(congress.user(4)).get("/o/union/motions")
    assert [(m["number"], m["state"]) for m in listed] == [(1, "adopted")]


def test_only_the_submitter_withdraws_a_motion(api, congress):
    api(congress.user(1)).post(
        f"/o/union/sessions/{congress.session.pk}/motions",
        {"mandate": congress.mandate(1).pk, "title": "Rest", "text": "Sundays off."},
    )
    status, refusal = api(congress.user(2)).post(
        "/o/union/motions/1/withdraw", {"mandate": congress.mandate(2).pk}
    )
    assert status == 403 and refusal["code"] == "not_allowed"
    status, motion = api(congress.user(1)).post(
        "/o/union/motions/1/withdraw", {"mandate": congress.mandate(1).pk}
    )
    assert status == 200 and motion["state"] == "withdrawn"


def test_an_election_from_call_to_count(api, congress):
    chair = api(congress.union.organizer)
    status, election = chair.post(
        f"/o/union/sessions/{congress.session.pk}/elections",
        {"body_name": "Editorial board", "seats": 2},
    )
    assert status == 201 and election["state"] == "nominating"
    url = f"/o/union/elections/{election['id']}"
    candidates = []
    for index in (0, 1, 2):
        person = congress.mandate(index).delegate_id
        status, candidate = chair.post(f"{url}/nominations", {"person": person})
        assert status == 201
        candidates.append(candidate)
    for index, candidate in enumerate(candidates):
        status, answered = api(congress.user(index)).post(
            f"{url}/candidates/{candidate['id']}/answer", {"accept": index != 2}
        )
        assert status == 200 and answered["accepted"] is (index != 2)
    assert (
        api(congress.user(0)).post(
            f"{url}/candidates/{candidates[1]['id']}/answer", {"accept": False}
        )[0]
        == 403
    )

    status, poll = chair.post(f"{url}/ballot", {"secret": True})
    assert status == 201 and poll["kind"] == "ranked" and poll["secret"] is True
    assert poll["options"] == ["Member c0", "Member c1"]
    _vote(api, congress, poll["id"], [["Member c0", "Member c1"], ["Member c1"], ["Member c1"]])
    chair.post(f"/o/union/polls/{poll['id']}/close")

    status, counted = api(congress.user(4)).get(url)
    assert status == 200 and counted["state"] == "counted" and counted["poll"] == poll["id"]
    assert counted["result"]["rounds"]
    status, bodies = api(congress.user(4)).get("/o/union/bodies")
    assert [b["name"] for b in bodies] == ["Editorial board"]
    assert sorted(m["person"]["name"] for m in bodies[0]["members"]) == ["Member c0", "Member c1"]


def test_members_declare_and_join_factions(api, congress):
    status, faction = api(congress.user(0)).post(
        "/o/union/factions", {"name": "Majority", "platform": "Centralism."}
    )
    assert status == 201 and faction["members"] == 1
    assert api(congress.user(1)).post(f"/o/union/factions/{faction['id']}/join")[1] == {
        "done": True
    }
    _, factions = api(congress.user(2)).get("/o/union/factions")
    assert [(f["name"], f["members"]) for f in factions] == [("Majority", 2)]
    status, refusal = api(congress.union.organizer).post(f"/o/union/factions/{faction['id']}/join")
    assert status == 403 and "only members" in refusal["reason"]
    assert RecordEntry.objects.filter(action="faction.joined").count() == 2
