"""A recall in real browsers: members of a branch recall their delegate from the council page,
each at their own browser, and the substitute takes the seat."""

import pytest
from playwright.sync_api import expect

from sovet.councils.actions import issue_mandate
from sovet.councils.models import Mandate
from sovet.record.models import RecordEntry
from tests.browser.conftest import in_django
from tests.conftest import PASSWORD


@pytest.fixture
def yard(union):
    """The yard: five members, the first their delegate with the second as substitute.

    The statute's recall share is one half: three of the five end the mandate.
    """
    members = [union.member(union.yard, f"y{index}", login=True) for index in range(5)]
    mandate = issue_mandate(
        actor=union.organizer,
        council=union.council,
        unit=union.yard,
        delegate=members[0].person,
        substitutes=[members[1].person],
    )
    return union, members, mandate


def delegates_of(page, unit: str):
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=unit))
    return row.get_by_role("cell").last


def test_members_recall_their_delegate_and_the_substitute_takes_the_seat(yard, browsers):
    union, members, mandate = yard
    path = f"/o/union/councils/{union.council.pk}/"
    opener = browsers.sign_in("y2", PASSWORD).open(path)
    seat = delegates_of(opener, "Yard")
    expect(seat).to_contain_text("Member y0")
    expect(seat).to_contain_text("substitutes: Member y1")

    seat.get_by_role("button", name="Recall Member y0").click()
    expect(opener.get_by_role("status")).to_have_text("You opened a recall of Member y0.")
    expect(delegates_of(opener, "Yard")).to_contain_text("Recall open: 1 of the 3 supports needed")

    for index, before in ((3, 1), (4, 2)):
        supporter = browsers.person(union.user(members[index])).open(path)
        seat = delegates_of(supporter, "Yard")
        expect(seat).to_contain_text(f"Recall open: {before} of the 3 supports needed")
        seat.get_by_role("button", name="Support the recall").click()
        expect(supporter.get_by_role("status")).to_have_text("You support the recall of Member y0.")

    seat = delegates_of(supporter, "Yard")
    expect(seat).to_contain_text("Member y1")
    expect(seat).not_to_contain_text("Member y0")
    expect(seat).not_to_contain_text("Recall open")
    ended = supporter.get_by_role("heading", name="Ended mandates").locator("+ ul")
    expect(ended).to_contain_text("Member y0 (Yard): recalled")
    expect(ended).to_contain_text("succeeded by Member y1")
    opener.reload()
    expect(delegates_of(opener, "Yard")).to_contain_text("Member y1")
    browsers.screenshot(supporter, "council")

    def stored():
        mandate.refresh_from_db()
        entry = RecordEntry.objects.get(action="mandate.recalled")
        return mandate.state, mandate.successor.delegate.name, entry.actor, entry.data["supports"]

    assert in_django(stored) == (Mandate.State.RECALLED, "Member y1", "y4", 3)
