"""The mock's JSON writer must give exactly the text json.dumps gives with the same indent."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.mock import json_bodies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None)  # 300 took 10 s of every run; 100 finds the same bugs
@given(json_values, st.sampled_from([2, 4]))
def test_indented_matches_json_dumps_for_any_json_value(value: object, indent: int) -> None:
    assert json_bodies.indented(value, indent) == json.dumps(value, indent=indent)


def test_indented_refuses_what_json_cannot_write() -> None:
    with pytest.raises(TypeError):
        json_bodies.indented({"when": object()})
