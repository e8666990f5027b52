"""Tests for sovet.organizations.statute_diff: rule changes and text changes between versions."""

from hypothesis import given
from hypothesis import strategies as st

from sovet.organizations.models import STATUTE_PRESETS
from sovet.organizations.statute_diff import RuleChange, consecutive, diff
from sovet.texts import Segment

RULES = {
    "criterion": "participation",
    "delegate_ratio": 100,
    "recall_share": "1/2",
    "split_votes": False,
    "text": "A member belongs to one of the organisations.",
}


def test_equal_versions_differ_in_nothing():
    found = diff(RULES, dict(RULES))
    assert found.rules == ()
    assert not found.text_changed and not found.changed
    assert found.text == (Segment("same", RULES["text"]),)


def test_changed_rules_in_the_statutes_order_with_both_values():
    after = RULES | {"split_votes": True, "criterion": "assistance", "recall_share": "2/3"}
    found = diff(RULES, after)
    assert found.rules == (
        RuleChange("criterion", "changed", before="participation", after="assistance"),
        RuleChange("recall_share", "changed", before="1/2", after="2/3"),
        RuleChange("split_votes", "changed", before=False, after=True),
    )
    assert found.changed and not found.text_changed


def test_added_and_removed_rules():
    before = {"delegate_ratio": 100, "old_rule": 1}
    after = {"delegate_ratio": 100, "co_option": True}
    assert diff(before, after).rules == (
        RuleChange("old_rule", "removed", before=1),
        RuleChange("co_option", "added", after=True),
    )


def test_the_text_changes_word_by_word():
    # Paragraph 1 in 1903: "by personal participation" against "regular personal assistance".
    before = RULES | {"text": "supports it by personal participation in an organisation"}
    after = RULES | {"text": "supports it by regular personal assistance of an organisation"}
    found = diff(before, after)
    assert found.rules == ()
    assert found.text_changed
    assert [segment for segment in found.text if segment.kind != "same"] == [
        Segment("inserted", "regular "),
        Segment("deleted", "participation in "),
        Segment("inserted", "assistance of "),
    ]


def test_a_text_where_there_was_none():
    found = diff({"delegate_ratio": 5}, {"delegate_ratio": 5, "text": "Members meet monthly."})
    assert found.rules == ()
    assert found.text == (Segment("inserted", "Members meet monthly."),)


def test_the_presets_differ_only_in_the_criterion():
    found = diff(STATUTE_PRESETS["participation"], STATUTE_PRESETS["assistance"])
    assert [change.name for change in found.rules] == ["criterion"]


def test_consecutive_versions():
    second = RULES | {"delegate_ratio": 50}
    third = second | {"text": "A member pays dues."}
    first_to_second, second_to_third = consecutive([RULES, second, third])
    assert first_to_second.rules == (RuleChange("delegate_ratio", "changed", 100, 50),)
    assert not first_to_second.text_changed
    assert second_to_third.rules == () and second_to_third.text_changed
    assert consecutive([RULES]) == []


values = st.one_of(st.booleans(), st.integers(0, 1000), st.sampled_from(["1/2", "2/3", "simple"]))
versions = st.builds(
    lambda plain, text: plain | {"text": text},
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), values),
    st.text(alphabet="ab \n", max_size=30),
)


@given(versions, versions)
def test_the_changes_rebuild_the_later_version(before, after):
    found = diff(before, after)
    rebuilt = {name: value for name, value in before.items() if name != "text"}
    for change in found.rules:
        if change.kind == "removed":
            del rebuilt[change.name]
        else:
            rebuilt[change.name] = change.after
    rebuilt["text"] = "".join(segment.text for segment in found.text if segment.kind != "deleted")
    assert rebuilt == after
    assert "".join(s.text for s in found.text if s.kind != "inserted") == before["text"]
    assert found.changed == (before != after)
