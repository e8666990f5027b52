"""A congress in real browsers: the chair's desk, delegates' ballots and the live page, each
person at their own browser; what one does reaches the others' open pages without a reload."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from sovet.scenarios import congress_1903
from tests.conftest import PASSWORD

RECEIPT = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")


def pages(congress) -> dict[str, str]:
    session = congress.session.pk
    return {
        "live": f"/o/union/sessions/{session}/",
        "ballot": f"/o/union/sessions/{session}/ballot/",
        "chair": f"/o/union/sessions/{session}/chair/",
    }


def connected(page):
    """Wait until the page's websocket is open; mark the document, to tell a reload later."""
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live")
    page.evaluate("window.sovetNotReloaded = true")
    return page


def not_reloaded(page) -> bool:
    return page.evaluate("window.sovetNotReloaded === true")


def turnout(page):
    return page.locator("[data-turnout]")


def open_poll(chair, question: str, *, secret: bool = False) -> None:
    """Open a yes/no poll from the chair's desk; return once the desk shows it live."""
    chair.get_by_label("Question").fill(question)
    if secret:
        chair.get_by_label("Secret ballot: each voter gets a receipt").check()
    chair.get_by_role("button", name="Open the poll").click()
    expect(turnout(chair)).to_have_text("0")


def cast(ballot, choice: str) -> None:
    ballot.get_by_label(choice.capitalize(), exact=True).check()
    ballot.get_by_role("button", name="Cast your ballot").click()
    expect(ballot.get_by_role("status").first).to_contain_text("Your ballot is cast")
    connected(ballot)  # the vote loaded the ballot page again


def test_turnout_and_result_reach_every_page_without_a_reload(congress, browsers):
    paths = pages(congress)
    chair = browsers.sign_in("organizer", PASSWORD).open(paths["chair"])
    delegates = [browsers.person(congress.user(index)) for index in (1, 2, 3)]
    watching = [delegate.open(paths["live"]) for delegate in delegates]
    ballots = [delegate.open(paths["ballot"]) for delegate in delegates]
    for page in [chair, *watching, *ballots]:
        connected(page)

    open_poll(chair, "Adopt the rules of the party?")
    for page in watching:
        expect(turnout(page)).to_have_text("0")
        expect(page.locator("[data-quorum='present']").first).to_have_text("7")
    expect(ballots[0].get_by_role("button", name="Cast your ballot")).to_be_visible()
    browsers.screenshot(ballots[0], "ballot")

    for voted, ballot, choice in zip((1, 2, 3), ballots, ["yes", "yes", "no"], strict=True):
        cast(ballot, choice)
        for page in [chair, *watching]:
            expect(turnout(page)).to_have_text(str(voted))
    browsers.screenshot(chair, "chair")

    chair.get_by_role("button", name="Close the poll").click()
    # The close's own notice may be replaced at once by the section's live refresh: what stays
    # is that no poll is open any more.
    expect(chair.locator("#chair-votes")).to_contain_text("No poll is open.")
    expect(chair.get_by_role("button", name="Close the poll")).to_have_count(0)
    for page in watching:
        result = page.locator("#live-results article.poll")
        expect(result).to_contain_text("Adopt the rules of the party?")
        expect(result.locator(".result")).to_have_text(re.compile(r"^Adopted: 2 yes of 3 votes"))
        expect(page.locator("#live-polls")).to_contain_text("No poll is open.")
    for page in ballots:
        expect(page.locator("#live-ballot")).to_contain_text("No poll is open.")
    assert all(not_reloaded(page) for page in [chair, *watching, *ballots])


def test_a_secret_ballot_gives_the_voter_a_receipt(congress, browsers):
    paths = pages(congress)
    chair = connected(browsers.person(congress.union.organizer).open(paths["chair"]))
    voter = browsers.person(congress.user(1), phone=True)
    ballot = connected(voter.open(paths["ballot"]))
    watching = connected(voter.open(paths["live"]))

    open_poll(chair, "Strike?", secret=True)
    expect(ballot.get_by_text("Yes / no / abstain; secret")).to_be_visible()
    expect(watching.locator("#live-polls")).to_contain_text("The ballot is secret")
    cast(ballot, "no")
    code = ballot.locator(".receipt code")
    expect(code).to_have_text(RECEIPT)
    receipt = code.inner_text()
    expect(ballot.get_by_role("status").first).to_contain_text(f"Your receipt: {receipt}")
    for page in (chair, watching):
        expect(turnout(page)).to_have_text("1")
    browsers.screenshot(ballot, "phone-ballot")

    chair.get_by_role("button", name="Close the poll").click()
    # The closed poll's receipt stays on the ballot page, now with the link to check it.
    closed = ballot.locator("#live-ballot").get_by_role("region", name="Your receipts")
    expect(closed.locator("code")).to_have_text(receipt)
    expect(closed.get_by_role("link", name="Check that your ballot was counted")).to_be_visible()
    expect(watching.locator("#live-results .result")).to_contain_text("Rejected: 0 yes of 1")
    assert all(not_reloaded(page) for page in [chair, ballot, watching])


def test_an_election_counted_by_stv_shows_its_rounds(congress, browsers):
    paths = pages(congress)
    chair = connected(browsers.person(congress.union.organizer).open(paths["chair"]))
    watcher = connected(browsers.person(congress.user(5)).open(paths["live"]))

    chair.get_by_label("Body").fill("Editorial board")
    chair.get_by_label("Seats").fill("2")
    chair.get_by_role("button", name="Call the election").click()
    election = chair.locator("#chair-votes article.election")
    for number in ("c1", "c2", "c3"):
        election.get_by_label("Member number").fill(number)
        election.get_by_role("button", name="Nominate").click()
        expect(chair.locator("#chair-votes")).to_contain_text(f"Member {number} is nominated")

    voters = [browsers.person(congress.user(index)) for index in range(4)]
    desks = [candidate.open("/o/union/delegate/") for candidate in voters[1:]]
    for desk in desks:
        desk.get_by_role("button", name="Accept the nomination to Editorial board").click()
        expect(desk.get_by_role("status")).to_have_text(
            "You accept the nomination to Editorial board."
        )
    # Answers to nominations send no live event: the chair reloads the desk to see them.
    chair.reload()
    connected(chair)
    expect(election).to_contain_text("Member c3: accepted")
    chair.get_by_role("button", name="Close nominations and open the ballot").click()
    expect(turnout(chair)).to_have_text("0")

    # Five votes for two seats, quota 2: c1 is elected at once and the surplus moves on; then
    # c3 is excluded, and c2 takes the second seat.
    a, b, c = "Member c1", "Member c2", "Member c3"
    for desk in desks:
        desk.goto(paths["ballot"], wait_until="commit")
    ballots = [voters[0].open(paths["ballot"]), *desks]
    for ballot, ranking in zip(ballots, [[a, b], [a, c], [b], [c]], strict=True):
        connected(ballot)
        for place, name in enumerate(ranking, start=1):
            ballot.get_by_label(f"Preference {place}").select_option(name)
        ballot.get_by_role("button", name="Cast your ballot").click()
        expect(ballot.get_by_role("status").first).to_contain_text("Your ballot is cast")
    expect(turnout(watcher)).to_have_text("5")

    chair.get_by_role("button", name="Close the poll").click()
    result = watcher.locator("#live-results article.election")
    expect(result.locator(".result")).to_have_text(f"Elected: {a}, {b}.")
    rounds = result.locator("table.rounds")
    expect(rounds.locator("thead th")).to_have_text(
        [
            "Candidate",
            re.compile("Round 1.*first preferences"),
            re.compile(f"Round 2.*surplus: {a}"),
            re.compile(f"Round 3.*exclusion: {c}"),
            re.compile("Round 4.*elected remaining"),
        ]
    )
    expect(rounds.get_by_role("row", name="Quota")).to_be_visible()
    chart = result.locator("figure.chart")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart).to_contain_text(f"Round 2: surplus of {a}")
    expect(chair.locator("#chair-votes")).to_contain_text(f"Elected: {a}, {b}.")
    assert not_reloaded(watcher)
    browsers.screenshot(result, "stv-rounds")
    browsers.screenshot(watcher, "live-after-election")


@pytest.fixture
def replayed_1903(transactional_db):
    """The 1903 congress, replayed: six groups in the hemicycle; return it and its organizer."""
    reader = get_user_model().objects.create_user(username="reader", password=PASSWORD)
    organization, _ = congress_1903.run(slug="rsdlp", organizer=reader)
    return organization.sessions.get(), reader


def test_the_1903_congress_seated_by_group(replayed_1903, browsers):
    session, reader = replayed_1903
    path = f"/o/rsdlp/sessions/{session.pk}/"
    page = connected(browsers.person(reader).open(path))
    hemicycle = page.locator("#live-hemicycle")
    expect(hemicycle).to_contain_text("38 of 43 delegates present.")
    expect(hemicycle.locator("svg")).to_be_visible()
    for group in ("Iskra majority (firm): 20 of 20 present", "Bund: 0 of 3 present"):
        expect(hemicycle.get_by_role("listitem").filter(has_text=group)).to_be_visible()
    expect(page.locator("#live-results article.election .result")).to_have_text(
        "Elected: Plekhanov, Lenin, Martov."
    )
    browsers.screenshot(page, "live")
    browsers.screenshot(hemicycle, "hemicycle")
    phone = connected(browsers.person(reader, phone=True).open(path))
    expect(phone.locator("#live-hemicycle svg")).to_be_visible()
    browsers.screenshot(phone, "phone-live")


WIDER_THAN_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const wide = (element) => element.getBoundingClientRect().right > width + 1;
  const outermost = [...document.querySelectorAll("body, body *")].filter(
    (element) =>
      wide(element) &&
      !(element.parentElement !== document.documentElement && wide(element.parentElement)) &&
      !element.parentElement.closest(".scroll")
  );
  return {
    scrolls: document.documentElement.scrollWidth - width,
    culprits: outermost.map(
      (element) => `${element.tagName.toLowerCase()}.${element.className}: ` +
        `${Math.round(element.getBoundingClientRect().right)} px`
    ),
  };
}"""


def test_no_page_of_the_congress_scrolls_sideways_on_a_phone(replayed_1903, browsers):
    """At 390 px every page fits the screen's width; wide tables scroll inside their own box."""
    session, reader = replayed_1903
    council = session.council_id
    lenin = get_user_model().objects.get(login__person__name="Lenin")
    phones: dict = {}
    too_wide = []
    for person, path in [
        (lenin, "/o/rsdlp/me/"),
        (lenin, "/o/rsdlp/delegate/"),
        (lenin, f"/o/rsdlp/sessions/{session.pk}/ballot/"),
    ] + [
        (reader, path)
        for path in (
            "/o/rsdlp/",
            f"/o/rsdlp/councils/{council}/",
            "/o/rsdlp/congress/",
            f"/o/rsdlp/sessions/{session.pk}/",
            f"/o/rsdlp/sessions/{session.pk}/chair/",
            "/o/rsdlp/motions/1/",
            "/o/rsdlp/statute/",
            "/o/rsdlp/record/",
        )
    ]:
        if person not in phones:
            phones[person] = browsers.person(person, phone=True)
        page = phones[person].open(path)
        page.wait_for_load_state("load")
        expect(page.locator("main")).to_be_visible()
        found = page.evaluate(WIDER_THAN_THE_SCREEN)
        if found["scrolls"] > 0:
            too_wide.append(f"{path} is {found['scrolls']} px too wide: {found['culprits']}")
        page.close()
    assert not too_wide, "\n".join(too_wide)
