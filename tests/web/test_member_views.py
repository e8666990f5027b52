"""Member, statute, receipt and record pages and password reset, through full requests."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from sovet.councils.actions import open_recall
from sovet.councils.models import Recall
from sovet.organizations.actions import amend_statute, change_status, grant_login
from sovet.polls import selectors as poll_selectors
from sovet.polls.actions import cast_ballot, close_poll, open_poll
from sovet.polls.selectors import UNKNOWN_RECEIPT
from sovet.web import member_selectors

NEW_PASSWORD = "a new password of mine"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Accounts


def reset_link(message) -> str:
    found = re.search(r"https?://testserver(/accounts/password-reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_password_reset_mails_a_link_that_sets_a_first_password(client, union):
    membership = union.member(union.depot, "m1", email="m1@example.org")
    user = grant_login(actor=union.organizer, membership=membership, username="m1", password=None)
    assert not user.has_usable_password()
    form = page(client.get(reverse("password-reset")))
    assert "Reset your password" in form and 'for="id_email"' in form

    response = client.post(reverse("password-reset"), {"email": "M1@Example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password-reset-sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["m1@example.org"]
    assert '"m1"' in message.body

    response = client.get(reset_link(message))
    assert response.status_code == 302  # to the same page without the token in its address
    form = page(client.get(response["Location"]))
    assert "Choose a new password" in form
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("password-reset-done")
    assert "Password set" in page(client.get(response["Location"]))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.login(username="m1", password=NEW_PASSWORD)


def test_a_reset_link_works_once(client, union):
    user = union.user(union.member(union.depot, "m1", login=True, email="m1@example.org"))
    client.post(reverse("password-reset"), {"email": "m1@example.org"})
    link = reset_link(mail.outbox[0])
    step = client.get(link)["Location"]
    client.post(step, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    used = client.get(link)
    assert "This link does not work any more" in page(used)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, union):
    response = client.post(reverse("password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password-reset-sent")
    assert mail.outbox == []
    assert "If a login has that address" in page(client.get(response["Location"]))


def test_mismatched_new_passwords_are_refused_with_the_reason(client, union):
    union.member(union.depot, "m1", login=True, email="m1@example.org")
    client.post(reverse("password-reset"), {"email": "m1@example.org"})
    step = client.get(reset_link(mail.outbox[0]))["Location"]
    answer = page(client.post(step, {"new_password1": NEW_PASSWORD, "new_password2": "other"}))
    assert 'aria-invalid="true"' in answer and "password fields didn" in answer


def test_sign_in_offers_the_reset_and_sign_out_goes_home(client, union):
    assert reverse("password-reset") in page(client.get(reverse("login")))
    client.force_login(union.organizer)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


# The member page


def roll_call(congress, question, choices, *, secret=False):
    union = congress.union
    poll = open_poll(
        actor=union.organizer,
        council=union.council,
        question=question,
        secret=secret,
        session=congress.session,
    )
    congress.vote(poll, choices)
    return close_poll(actor=union.organizer, poll=poll)


def test_member_page_shows_my_unit_delegates_and_how_they_voted(client, congress):
    union = congress.union
    roll_call(congress, "Adopt the rules?", ["yes", "no", "yes", "abstain", None, "yes"])
    roll_call(congress, "Elect by secret ballot?", ["no"] * 6, secret=True)
    open_poll(
        actor=union.organizer,
        council=union.council,
        question="Still open?",
        session=congress.session,
    )
    member = union.organization.memberships.get(number="c20")
    client.force_login(union.user(member))
    answer = page(client.get(reverse("member", args=["union"])))
    chain = answer.split('class="chain"')[1].split("</ol>")[0]
    assert chain.index("Transit Union") < chain.index("North") < chain.index("Depot")
    assert '<li aria-current="true"><strong>Depot</strong>' in chain
    for index in range(6):
        assert f'<h3 id="delegate-{congress.mandate(index).pk}">Member c{index}</h3>' in answer
    assert "2 votes" in answer  # the first delegate's mandate
    c1 = answer[answer.index(">Member c1</h3>") : answer.index(">Member c2</h3>")]
    assert "How Member c1 voted" in c1
    assert '<th scope="row">Adopt the rules?</th><td>no</td><td>Adopted: ' in c1
    assert "Elect by secret ballot?" not in answer.split('id="receipts-title"')[0]
    assert "Still open?" not in answer
    c4 = answer[answer.index(">Member c4</h3>") : answer.index(">Member c5</h3>")]
    assert "No roll-call vote yet." in c4
    assert "My mandates" not in answer


def test_roll_calls_most_recent_first(client, congress):
    union = congress.union
    for number in range(3):
        roll_call(congress, f"Question {number}?", ["yes"])
    client.force_login(union.user(union.organization.memberships.get(number="c20")))
    answer = page(client.get(reverse("member", args=["union"])))
    assert answer.index("Question 2?") < answer.index("Question 1?") < answer.index("Question 0?")


def test_member_page_of_a_member_above_the_mandates_unit_lists_no_delegate(client, congress):
    union = congress.union
    yard = union.member(union.yard, "y1", login=True)
    client.force_login(union.user(yard))
    answer = page(client.get(reverse("member", args=["union"])))
    assert "Yard" in answer and "Member c0" not in answer
    assert "No delegate holds a mandate for your unit" in answer


def test_a_delegate_sees_their_mandates_sessions_and_secret_polls(client, congress):
    roll_call(congress, "Elect by secret ballot?", ["no"] * 6, secret=True)
    client.force_login(congress.user(0))
    answer = page(client.get(reverse("member", args=["union"])))
    mandates = answer[answer.index('id="mandates-title"') :]
    assert "Union Council</a>, for Depot, 2 votes: active since" in mandates
    session = reverse("session", args=["union", congress.session.pk])
    assert f'<a href="{session}">Union Council, session 1: Second Congress</a>' in mandates
    assert f"/o/union/minutes.html?session={congress.session.pk}" in mandates
    assert reverse("congress", args=["union"]) in mandates
    assert "Start a recall of Member c0" not in answer  # not of oneself
    assert "Start a recall of Member c1" in answer
    receipts = answer[answer.index('id="receipts-title"') : answer.index('id="mandates-title"')]
    assert "Elect by secret ballot?" in receipts and "ready to check" in receipts


def test_the_member_page_is_for_members(client, congress, outsider):
    union = congress.union
    url = reverse("member", args=["union"])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 403
    assert "members of Transit Union have a member page here" in response.content.decode()
    lapsed = union.organization.memberships.get(number="c30")
    change_status(actor=union.organizer, membership=lapsed, status="lapsed")
    client.force_login(union.user(lapsed))
    response = client.get(url)
    assert response.status_code == 403 and "is lapsed" in response.content.decode()


def test_recall_from_the_member_page(client, congress):
    union = congress.union
    opener, supporter = (union.organization.memberships.get(number=n) for n in ("c20", "c21"))
    mandate = congress.mandate(1)
    url = reverse("member", args=["union"])
    client.force_login(union.user(opener))
    answer = page(client.get(url))
    action = reverse("open-recall", args=["union", mandate.pk])
    assert f'action="{action}"' in answer
    assert f'<label for="reason-{mandate.pk}">' in answer
    response = client.post(action, {"reason": "voted against the mandate"})
    assert response.status_code == 302

    recall = Recall.objects.get(mandate=mandate)
    answer = page(client.get(url))
    assert "Recall of Member c1 open" in answer and "1 of the " in answer
    assert "You support this recall." in answer
    assert "Reason: voted against the mandate" in answer

    client.force_login(union.user(supporter))
    support = reverse("support-recall", args=["union", recall.pk])
    assert f'action="{support}"' in page(client.get(url))
    assert client.post(support).status_code == 302
    assert "2 of the " in page(client.get(url))


def test_members_the_statute_does_not_count_cannot_recall(client, congress):
    union = congress.union
    supporter = union.member(union.depot, "s1", login=True, status="supporter")
    open_recall(actor=congress.user(2), mandate=congress.mandate(1))
    client.force_login(union.user(supporter))
    answer = page(client.get(reverse("member", args=["union"])))
    assert "you cannot start or support a recall" in answer
    assert "Start a recall" not in answer and "Support the recall" not in answer


def test_member_page_queries_stay_bounded(client, congress, django_assert_max_num_queries):
    for number in range(5):
        roll_call(congress, f"Question {number}?", ["yes"] * 6)
    open_recall(actor=congress.user(2), mandate=congress.mandate(1))
    client.force_login(congress.user(0))
    # Two per open recall (its unit's subtree and its supports); the rest grows with nothing.
    with django_assert_max_num_queries(18):
        page(client.get(reverse("member", args=["union"])))


# Receipts


def secret_poll(congress, choices):
    """Return the receipt codes of the delegates' votes in a closed secret poll."""
    union = congress.union
    poll = open_poll(
        actor=union.organizer,
        council=union.council,
        question="Elect the board?",
        secret=True,
        session=congress.session,
    )
    codes = [
        cast_ballot(actor=user, poll=poll, mandate=mandate, choice=choice)
        for (user, mandate), choice in zip(congress.delegates, choices, strict=False)
    ]
    close_poll(actor=union.organizer, poll=poll)
    return codes


def test_receipt_check_verifies_the_ballots_against_the_signed_head(client, congress):
    codes = secret_poll(congress, ["yes", "no", "abstain"])
    client.force_login(congress.user(0))
    answer = page(client.post(reverse("receipt-check", args=["union"]), {"code": codes[0]}))
    assert '<h2 id="result-title">Verified</h2>' in answer
    assert "Elect the board?" in answer
    # The first delegate has two votes: two ballots, each with its own proof.
    assert answer.count("<td>yes</td><td>verified: ") == 2
    assert "not verified" not in answer.lower()


def test_receipt_check_is_open_to_anyone_with_the_code(client, congress):
    codes = secret_poll(congress, ["yes", "no"])
    answer = page(client.post(reverse("receipt-check", args=["union"]), {"code": codes[1].lower()}))
    assert "Verified" in answer and "<td>no</td>" in answer


def test_a_wrong_receipt_code_is_not_verified_and_says_why(client, congress):
    codes = secret_poll(congress, ["yes"])
    wrong = ("B" if codes[0][0] == "A" else "A") + codes[0][1:]
    response = client.post(reverse("receipt-check", args=["union"]), {"code": wrong})
    assert response.status_code == 400
    answer = response.content.decode()
    assert '<h2 id="result-title">Not verified</h2>' in answer
    assert UNKNOWN_RECEIPT[1:40] in answer
    assert f'value="{wrong}"' in answer  # kept in the form, to correct a typo


def test_a_malformed_receipt_code_is_refused(client, union):
    response = client.post(reverse("receipt-check", args=["union"]), {"code": "ABCD"})
    assert response.status_code == 400
    assert "32 letters and digits" in response.content.decode()


def test_a_receipt_before_its_poll_closes_is_not_verified(client, congress):
    poll = open_poll(
        actor=congress.union.organizer,
        council=congress.union.council,
        question="Q?",
        secret=True,
        session=congress.session,
    )
    code = cast_ballot(actor=congress.user(1), poll=poll, mandate=congress.mandate(1), choice="no")
    response = client.post(reverse("receipt-check", args=["union"]), {"code": code})
    assert response.status_code == 400 and "Not verified" in response.content.decode()


def test_the_receipt_form_needs_post_not_an_address(client, union):
    assert "Receipt code" in page(client.get(reverse("receipt-check", args=["union"])))
    assert client.put(reverse("receipt-check", args=["union"])).status_code == 405


def tampered(monkeypatch, change):
    """Make the receipt lookup answer with a proof that `change` altered."""
    found = poll_selectors.receipt_check

    def altered(organization, code):
        answer = found(organization, code)
        change(answer)
        return answer

    monkeypatch.setattr(poll_selectors, "receipt_check", altered)


def test_a_proof_that_does_not_lead_to_the_signed_root_is_not_verified(congress, monkeypatch):
    codes = secret_poll(congress, ["yes"])

    def flip_a_hash(answer):
        proof = answer["ballots"][0]["inclusion"]["proof"]
        proof[0] = ("0" if proof[0][0] != "0" else "1") + proof[0][1:]

    tampered(monkeypatch, flip_a_hash)
    check = member_selectors.check_receipt(congress.union.organization, codes[0])
    assert not check.verified
    assert check.ballots[0].problem.startswith("root does not match")
    assert check.ballots[1].verified


def test_a_proof_of_another_entry_is_not_verified(congress, monkeypatch):
    codes = secret_poll(congress, ["yes"])

    def other_choice(answer):
        answer["ballots"][1]["choice"] = "no"

    tampered(monkeypatch, other_choice)
    check = member_selectors.check_receipt(congress.union.organization, codes[0])
    seq = check.ballots[1].seq
    assert check.ballots[1].problem == f"record entry {seq} does not publish this ballot"


def test_a_head_with_a_forged_signature_is_not_verified(client, congress, monkeypatch):
    codes = secret_poll(congress, ["yes"])

    def forge(answer):
        answer["tree_head"]["signature"] = "00" * 64

    tampered(monkeypatch, forge)
    answer = page(client.post(reverse("receipt-check", args=["union"]), {"code": codes[0]}))
    assert '<h2 id="result-title">Not verified</h2>' in answer
    assert "The tree head cannot be trusted: the tree head&#x27;s signature does not hold" in answer


# Organization, statute and record pages


def test_organization_page_nests_units_and_links_the_members_page(client, seated):
    union, members, _mandate = seated
    client.force_login(union.user(members[3]))
    answer = page(client.get(reverse("organization", args=["union"])))
    north = answer[answer.index("North <span") :]
    assert north.index('<ul class="tree">') < north.index("Depot") < north.index("South <span")
    assert '<strong aria-current="true">Depot</strong>' in answer
    assert reverse("member", args=["union"]) in answer
    assert reverse("statute", args=["union"]) in answer
    assert reverse("council", args=["union", union.council.pk]) in answer
    assert "/o/union/minutes.pdf" in answer


def test_statute_page_shows_each_version_with_its_changes(client, union):
    amend_statute(
        actor=union.organizer,
        organization=union.organization,
        changes={"delegate_ratio": 3, "split_votes": True},
    )
    amend_statute(
        actor=union.organizer,
        organization=union.organization,
        changes={"text": "A member supports the union by personal participation."},
    )
    amend_statute(
        actor=union.organizer,
        organization=union.organization,
        changes={"text": "A member supports the union by regular personal assistance."},
    )
    answer = page(client.get(reverse("statute", args=["union"])))
    assert answer.index("Version 4") < answer.index("Version 3") < answer.index("Version 1")
    second = answer[answer.index('id="version-2"') : answer.index('id="version-1"')]
    assert "Rules changed from version 1" in second
    assert '<th scope="row">Members per delegate</th><td>5</td><td><strong>3</strong>' in second
    assert '<th scope="row">Delegates may split their votes</th><td>no</td>' in second
    fourth = answer[answer.index('id="version-4"') : answer.index('id="version-3"')]
    assert "<ins>regular</ins>" in fourth and "<del>participation.</del>" in fourth
    assert "in force" in fourth
    assert "The first statute of Transit Union." in answer


def test_record_search_by_text_and_action_with_pages(client, seated):
    union, _members, _mandate = seated
    client.force_login(union.organizer)
    url = reverse("record", args=["union"])
    answer = page(client.get(url, {"q": "member d3"}))
    assert "Member d3" in answer and "Member d4" not in answer
    assert 'value="member d3"' in answer
    answer = page(client.get(url, {"q": "organizer"}))
    assert "unit.added" in answer  # the actor
    answer = page(client.get(url, {"q": "d3", "action": "membership.login"}))
    assert "membership.login_granted" in answer and "membership.admitted" not in answer
    answer = page(client.get(url, {"q": "nothing like this"}))
    assert "No entry matches." in answer and "0 entries found" in answer


def test_record_search_pages_keep_the_search(client, congress):
    client.force_login(congress.union.organizer)
    url = reverse("record", args=["union"])
    answer = page(client.get(url, {"q": "member"}))
    assert "Page 1 of " in answer and 'href="?q=member&amp;page=2"' in answer
    answer = page(client.get(url, {"q": "member", "page": 2}))
    assert "Page 2 of " in answer and 'href="?q=member&amp;page=1"' in answer
    assert 'value="member"' in answer


def test_record_search_keeps_the_latest_signed_head(client, seated):
    from sovet.record.log import latest_head

    union, _members, _mandate = seated
    head = latest_head(union.organization)
    client.force_login(union.organizer)
    answer = page(client.get(reverse("record", args=["union"]), {"q": "depot"}))
    assert head.root_hash in answer and "Latest signed tree head" in answer


@pytest.mark.parametrize("name", ["statute", "receipt-check"])
def test_public_pages_of_an_unknown_organization_are_404(client, db, name):
    assert client.get(reverse(name, args=["nowhere"])).status_code == 404


def test_organization_nav_marks_the_current_page(client, union):
    answer = page(client.get(reverse("statute", args=["union"])))
    assert f'<a href="{reverse("statute", args=["union"])}" aria-current="page">' in answer
    assert reverse("member", args=["union"]) not in answer  # signed out: no member page
