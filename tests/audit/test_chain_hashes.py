"""The fast chain hasher gives exactly the hashes of `record_hash`, on any content."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from opencro.audit.chain import GENESIS, chain_hashes, record_hash

text = st.text(max_size=40)
rows = st.fixed_dictionaries(
    {
        "timestamp": st.datetimes(timezones=st.just(dt.UTC)),
        "username": text,
        "user_id": st.none() | st.integers(1, 2**40),
        "action": st.sampled_from(["create", "update", "delete", "sign"]),
        "object_type": text,
        "object_id": text,
        "object_repr": text,
        "study_id": st.none() | st.integers(1, 2**40),
        "site_id": st.none() | st.integers(1, 2**40),
        "field": text,
        "old_value": st.none() | text,
        "new_value": st.none() | text,
        "reason": text,
    }
)


@settings(max_examples=300)
@given(st.lists(rows, min_size=1, max_size=5))
def test_chain_hashes_equal_record_hash(batch):
    expected, prev = [], GENESIS
    for row in batch:
        prev = record_hash(row, prev)
        expected.append(prev)
    assert chain_hashes(batch, GENESIS) == expected


def test_unicode_and_quotes_hash_the_same():
    row = {"timestamp": dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC), "new_value": 'Müller "q" \\ 日本\n'}
    assert chain_hashes([row], GENESIS) == [record_hash(row, GENESIS)]


def test_rows_sharing_their_common_fields_reuse_segments_and_still_hash_alike():
    """The import case: many rows alike but for value, object and name; also ints and a batch of mixed rows."""
    stamp = dt.datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=dt.UTC)
    common = {"timestamp": stamp, "username": "dm", "user_id": 3, "action": "create", "object_type": "edc.itemdata"}
    batch = [
        {**common, "object_id": str(n), "object_repr": f"S-{n}", "field": "value", "new_value": str(n), "study_id": 1}
        for n in range(50)
    ]
    batch += [{**common, "object_id": 7, "new_value": 3, "old_value": 2.5, "site_id": 9}]  # not text: json.dumps
    expected, prev = [], "a" * 64
    for row in batch:
        prev = record_hash(row, prev)
        expected.append(prev)
    assert chain_hashes(batch, "a" * 64) == expected
