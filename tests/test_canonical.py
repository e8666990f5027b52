import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovet import canonical

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def test_keys_sorted_and_compact():
    assert canonical.dumps({"b": 1, "a": [True, None, "ж"]}) == '{"a":[true,null,"ж"],"b":1}'


def test_floats_refused_with_their_path():
    with pytest.raises(canonical.CanonicalError, match=r"\$\.share: floats are not allowed"):
        canonical.dumps({"share": 0.5})
    with pytest.raises(canonical.CanonicalError, match=r"float 0\.5"):
        canonical.loads('{"share":0.5}')


def test_non_string_keys_and_other_types_refused():
    with pytest.raises(canonical.CanonicalError, match="key 1 is not a string"):
        canonical.dumps({1: "a"})
    with pytest.raises(canonical.CanonicalError, match="set has no canonical JSON form"):
        canonical.dumps({"a": {1}})


@given(json_values)
def test_round_trip_and_one_spelling(value):
    text = canonical.dumps(value)
    assert canonical.loads(text) == value
    assert canonical.dumps(json.loads(text)) == text
