"""Reading submitted values: text from pages and JSON values from the API give the same typed value."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencro.design.kinds import KINDS
from opencro.design.params import BOOL, CHOICE, FLOAT, FLOATS, INT, MISSING, Param, ParamError
from opencro.design.services import design_compute

NUMBER = Param("x", "x", FLOAT, 1.5)
COUNT = Param("n", "n", INT, 3, minimum=1, maximum=10)
SIDES = Param("sides", "sides", CHOICE, 2, choices=((1, "one"), (2, "two")))
FLAG = Param("flag", "flag", BOOL, True)
LIST = Param("rates", "rates", FLOATS, None, optional=True, max_items=3)


def test_missing_gives_the_default_empty_gives_none_or_an_error():
    assert NUMBER.parse(MISSING) == 1.5
    assert LIST.parse("") is None and LIST.parse(None) is None
    with pytest.raises(ParamError, match="required"):
        NUMBER.parse(" ")


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "1e999", True, [1], {"a": 1}])
def test_not_a_number(raw):
    with pytest.raises(ParamError):
        NUMBER.parse(raw)


def test_whole_numbers_choices_flags_and_lists():
    assert COUNT.parse("4") == 4 and COUNT.parse(4.0) == 4
    for bad in ("4.5", 4.5, True, "11", 0):
        with pytest.raises(ParamError):
            COUNT.parse(bad)
    assert SIDES.parse("1") == 1 and SIDES.parse(2) == 2
    with pytest.raises(ParamError, match="one of: 1, 2"):
        SIDES.parse(True)
    assert FLAG.parse("") is False and FLAG.parse("on") is True and FLAG.parse(False) is False
    assert LIST.parse("0.5; 0.75 1") == [0.5, 0.75, 1.0] and LIST.parse([0.5, 1]) == [0.5, 1.0]
    with pytest.raises(ParamError, match="at most 3"):
        LIST.parse("0.1,0.2,0.3,0.4")


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_a_number_survives_the_form(value):
    """What the form shows of a value reads back as the same value (12 significant digits kept)."""
    assert NUMBER.parse(NUMBER.as_text(value)) == pytest.approx(value, rel=1e-11, abs=0)


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=3))
def test_a_list_survives_the_form(values):
    assert LIST.parse(LIST.as_text(values)) == pytest.approx(values, rel=1e-11, abs=1e-300)


def test_every_default_shows_in_the_form_and_reads_back():
    for kind in KINDS.values():
        for p in kind.params:
            assert p.parse(p.as_text(p.default)) == (p.default if p.type != FLOATS or p.default else None), p.name


ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.floats(min_value=-2, max_value=2), max_size=4),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_any_input_is_a_design_or_a_validation_error(kind, data):
    """Whatever a client sends, the answer is a computed design or a ValidationError naming what is wrong."""
    spec = KINDS[kind]
    names = data.draw(st.lists(st.sampled_from([p.name for p in spec.params]), max_size=3, unique=True))
    inputs = {name: data.draw(ANY_VALUE) for name in names}
    if kind in ("boin", "crm"):
        inputs["n_sims"] = 100  # keep each example quick
    try:
        design_compute(kind, inputs)
    except ValidationError as exc:
        assert exc.message_dict


NUMBER_VALUE = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.floats(min_value=0.001, max_value=0.999)
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_any_number_reaches_the_library_safely(kind, data):
    """Numbers in the float parameters reach the library; it answers or refuses naming a parameter."""
    spec = KINDS[kind]
    floats = [p.name for p in spec.params if p.type == FLOAT]
    names = data.draw(st.lists(st.sampled_from(floats), min_size=1, max_size=3, unique=True))
    inputs = {name: data.draw(NUMBER_VALUE) for name in names}
    if kind in ("boin", "crm"):
        inputs["n_sims"] = 100
    try:
        computed = design_compute(kind, inputs)
    except ValidationError as exc:
        assert exc.message_dict
    else:
        assert KINDS[kind].figures(computed.inputs, computed.result)
