"""CSV export and import of randomisation lists: round trip, and every validation problem found with its row.

The valid list below is written by hand (arms A, B 1:1, blocks of 4, strata sex = F, M); each test breaks it in
one way and checks the problem is reported at the right row and column. Row numbers count the header as row 1.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.stats.randomization import (
    COLUMNS,
    DesignInputError,
    ListProblem,
    ListValidationError,
    check_list_csv,
    list_to_csv,
    permuted_block_list,
    read_list_csv,
)

ARMS = ("A", "B")
FACTORS = {"sex": ["F", "M"]}
VALID = [
    "stratum,block,sequence,arm",  # row 1
    "F,1,1,A",  # row 2
    "F,1,2,B",
    "F,1,3,B",
    "F,1,4,A",  # row 5
    "F,2,5,B",
    "F,2,6,A",
    "F,2,7,A",
    "F,2,8,B",  # row 9
    "M,1,1,B",  # row 10
    "M,1,2,A",
    "M,1,3,A",
    "M,1,4,B",  # row 13
]


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _edit(row: int, line: str | None) -> list[str]:
    """The valid list with row `row` (header = 1) replaced by `line`, or removed when `line` is None."""
    lines = list(VALID)
    if line is None:
        del lines[row - 1]
    else:
        lines[row - 1] = line
    return lines


def _problems(lines: list[str], **kwargs) -> list[tuple[int | None, str | None]]:
    result = check_list_csv(_text(lines), ARMS, factors=FACTORS, **kwargs)
    assert not result.valid and result.randomization_list is None
    return [(p.row, p.column) for p in result.problems]


def _messages(lines: list[str], **kwargs) -> list[str]:
    return [str(p) for p in check_list_csv(_text(lines), ARMS, factors=FACTORS, **kwargs).problems]


def test_the_hand_written_list_is_valid():
    rlist = read_list_csv(_text(VALID), ARMS, factors=FACTORS)
    assert len(rlist.rows) == 12
    assert rlist.block_sizes == (4,)
    assert rlist.seed is None
    assert [r.arm for r in rlist.stratum_rows(("F",))] == list("ABBABAAB")
    assert rlist.arm_counts(("M",)) == {"A": 2, "B": 2}


def test_rows_and_strata_in_any_order_and_columns_in_any_order():
    lines = ["arm,sequence,stratum,block"] + [
        ",".join([arm, seq, stratum, block])
        for stratum, block, seq, arm in (line.split(",") for line in reversed(VALID[1:]))
    ]
    rlist = read_list_csv(_text(lines), ARMS, factors=FACTORS)
    assert rlist == read_list_csv(_text(VALID), ARMS, factors=FACTORS)


def test_export_format():
    rlist = read_list_csv(_text(VALID), ARMS, factors=FACTORS)
    assert list_to_csv(rlist) == _text(VALID)
    assert COLUMNS == ("stratum", "block", "sequence", "arm")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32),
    st.sampled_from([((1, 1), (2, 4)), ((2, 1), (3, 6)), ((1, 1, 1), (3,)), ((3, 2), (5, 10))]),
    st.integers(1, 25),
)
def test_round_trip(seed, design, n):
    ratio, sizes = design
    arms = [f"arm {i}" for i in range(len(ratio))]
    factors = {"site": ["01", "02"], "age": ["<65", ">=65, frail"]}  # a comma inside a level is quoted
    rlist = permuted_block_list(arms, ratio=ratio, block_sizes=sizes, n_per_stratum=n, factors=factors, seed=seed)
    back = read_list_csv(list_to_csv(rlist), arms, ratio=ratio, factors=factors, block_sizes=sizes)
    assert back.rows == rlist.rows
    assert set(back.block_sizes) <= set(sizes)


def test_unstratified_round_trip_has_an_empty_stratum():
    rlist = permuted_block_list(["A", "B"], block_sizes=2, n_per_stratum=4, seed=1)
    text = list_to_csv(rlist)
    assert text.splitlines()[1].startswith(",1,1,")
    assert read_list_csv(text, ["A", "B"]).rows == rlist.rows


def test_unknown_arm():
    assert _problems(_edit(3, "F,1,2,C")) == [(3, "arm")]
    assert "unknown arm 'C'; the arms are A, B" in _messages(_edit(3, "F,1,2,C"))[0]


def test_duplicate_sequence():
    # Row 4 repeats sequence 2 (first used at row 3), so 3 is missing from 1..8.
    problems = _problems(_edit(4, "F,1,2,B"))
    assert problems == [(4, "sequence"), (None, "sequence")]
    messages = _messages(_edit(4, "F,1,2,B"))
    assert "sequence 2 of stratum 'F' is already used at row 3" in messages[0]
    assert "sequence number(s) 3 missing" in messages[1]


def test_missing_sequence_and_the_incomplete_block_it_leaves():
    problems = _problems(_edit(5, None))  # drop F,1,4,A: sequence 4 is missing and block 1 has 3 slots
    assert problems == [(2, "arm"), (None, "sequence")]
    messages = _messages(_edit(5, None))
    assert "cannot hold the ratio 1:1" in messages[0] and "complete blocks only" in messages[0]
    assert "sequence number(s) 4 missing" in messages[1]


def test_unbalanced_block():
    problems = _problems(_edit(2, "F,1,1,B"))
    assert problems == [(2, "arm")]
    assert "block 1 of stratum 'F' (4 slots, rows 2-5) has arm counts A=1, B=3" in _messages(_edit(2, "F,1,1,B"))[0]


def test_incomplete_last_block():
    assert _problems(_edit(13, None)) == [(10, "arm")]


def test_block_numbers():
    # Stratum F starts with block 2, then block 1 follows block 2 (row 3); block 1 is left with 3 slots (rows
    # 3-5) and block 2 with 5 (rows 2, 6-9), neither a whole block.
    assert _problems(_edit(2, "F,2,1,A")) == [(2, "block"), (2, "arm"), (3, "block"), (3, "arm")]
    # Blocks 1 then 3: a number skipped.
    lines = VALID[:5] + [line.replace("F,2,", "F,3,") for line in VALID[5:9]] + VALID[9:]
    assert _problems(lines) == [(6, "block")]
    # Block 1 comes back after block 2 (row 8), leaving block 1 with 5 slots and block 2 with 3.
    assert _problems(_edit(8, "F,1,7,A")) == [(2, "arm"), (6, "arm"), (8, "block")]


def test_block_size_not_allowed():
    assert _problems(VALID, block_sizes=[2, 6]) == [(2, "block"), (6, "block"), (10, "block")]


def test_undeclared_stratum_reported_once_with_its_rows():
    lines = [*VALID, "X,1,1,A", "X,1,2,B"]
    assert _problems(lines) == [(14, "stratum")]
    message = _messages(lines)[0]
    assert "'X' is not a level of sex (F, M)" in message and "2 rows: 14-15" in message


def test_stratum_with_the_wrong_number_of_levels():
    message = _messages([*VALID, "F|old,1,1,A"])[0]
    assert "has 2 level(s); expected 1" in message


def test_missing_stratum():
    assert _problems(VALID[:9]) == [(None, "stratum")]
    assert "stratum 'M' has no rows" in _messages(VALID[:9])[0]


def test_bad_header():
    lines = _edit(1, "stratum,blk,sequence,arm")
    assert _problems(lines) == [(1, None), (1, "block")]
    messages = _messages(lines)
    assert "unexpected column 'blk'" in messages[0] and "no column 'block'" in messages[1]
    # A repeated column: each data row then has too few fields, so neither stratum has a readable row.
    expected = [(1, "block"), *[(row, None) for row in range(2, 14)], (None, "stratum"), (None, "stratum")]
    assert _problems(_edit(1, "stratum,block,block,sequence,arm")) == expected
    assert _problems(["stratum,sequence,arm", *VALID[1:]]) == [(1, "block")]  # the rows cannot be read


def test_cells_that_are_not_whole_numbers_and_short_rows():
    assert _problems(_edit(3, "F,one,2,B")) == [(3, "block")]
    assert _problems(_edit(3, "F,1,0,B")) == [(3, "sequence"), (None, "sequence")]
    assert _problems(_edit(3, "F,1,2")) == [(2, "arm"), (3, None), (None, "sequence")]


def test_empty_file():
    result = check_list_csv("", ARMS, factors=FACTORS)
    assert [(p.row, p.column) for p in result.problems] == [(None, None)]
    assert "empty" in result.problems[0].message


def test_every_problem_at_once():
    lines = _edit(1, "stratum,block,sequence,arm,kit")  # unexpected column: every row then has too few fields
    result = check_list_csv(_text(lines), ARMS, factors=FACTORS)
    assert len(result.problems) == 1 + 12 + 2  # the header, each data row, then strata F and M with no rows
    lines = list(VALID)
    lines[2] = "F,1,2,C"  # row 3: unknown arm
    lines[6] = "F,2,5,B"  # row 7: repeats sequence 5 (row 6) and leaves 6 missing; block 2 has A=1, B=3
    lines[11] = "M,1,3,B"  # row 12: block 1 of M has A=1, B=3
    lines.append("Z,1,1,A")  # row 14: undeclared stratum
    found = _problems(lines)
    assert found == [(3, "arm"), (6, "arm"), (7, "sequence"), (10, "arm"), (14, "stratum"), (None, "sequence")]
    with pytest.raises(ListValidationError) as err:
        read_list_csv(_text(lines), ARMS, factors=FACTORS)
    assert len(err.value.problems) == 6
    assert "row 3, column arm: unknown arm 'C'" in str(err.value)


def test_byte_order_mark_and_white_space_are_tolerated():
    lines = ["\ufeffStratum, Block ,sequence,ARM", *(line.replace(",", ", ") for line in VALID[1:])]
    expected = read_list_csv(_text(VALID), ARMS, factors=FACTORS).rows
    assert read_list_csv(_text(lines), ARMS, factors=FACTORS).rows == expected


def test_problem_text():
    assert str(ListProblem(3, "arm", "bad")) == "row 3, column arm: bad"
    assert str(ListProblem(None, "stratum", "bad")) == "column stratum: bad"
    assert str(ListProblem(None, None, "bad")) == "bad"
    assert ListProblem(3, None, "bad").as_dict() == {"row": 3, "column": None, "message": "bad"}


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"arms": ["A"]}, "arms"),
        ({"ratio": [0, 1]}, "ratio"),
        ({"block_sizes": [3]}, "block_sizes"),
        ({"factors": {"sex": []}}, "factors"),
        ({"text": b"stratum"}, "text"),
    ],
)
def test_bad_declaration_names_the_parameter(kwargs, parameter):
    arguments = {"text": _text(VALID), "arms": ARMS, "factors": FACTORS} | kwargs
    with pytest.raises(DesignInputError) as err:
        check_list_csv(arguments.pop("text"), arguments.pop("arms"), **arguments)
    assert err.value.parameter == parameter
