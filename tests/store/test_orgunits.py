"""The org-unit tree (versions, closure, subtree) and the one org-unit lookup."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from shequ.errors import VoiceError
from shequ.store import orgunits
from shequ.store.tables.core import SINCE_EVER, UNTIL_FURTHER, OrgUnitPath


def _v(code, parent, level, start=SINCE_EVER, end=UNTIL_FURTHER):
    return {
        "code": code,
        "name": code,
        "level": level,
        "parent_code": parent,
        "valid_from": start,
        "valid_to": end,
    }


def test_closure_follows_a_community_that_moved_street(any_store):
    # C > S1 until 2023-01-01, then C > S2 (S2 opened 2023-01-01). D is above both.
    cut = dt.date(2023, 1, 1)
    units = [
        _v("D", None, "district"),
        _v("S1", "D", "street", end=cut),
        _v("S2", "D", "street", start=cut),
        _v("C", "S1", "community", end=cut),
        _v("C", "S2", "community", start=cut),
    ]
    with any_store.begin() as conn:
        orgunits.write_versions(conn, units, actor="test")
        paths = pd.read_sql(select(OrgUnitPath), conn)
    paths = paths.assign(
        valid_from=paths.valid_from.map(lambda d: dt.date.fromisoformat(str(d))),
        valid_to=paths.valid_to.map(lambda d: dt.date.fromisoformat(str(d))),
    )
    ancestors = lambda day: set(  # noqa: E731
        paths[
            (paths.descendant_code == "C") & (paths.valid_from <= day) & (paths.valid_to > day)
        ].ancestor_code
    )
    assert ancestors(dt.date(2022, 12, 31)) == {"C", "S1", "D"}
    assert ancestors(dt.date(2023, 12, 31)) == {"C", "S2", "D"}
    # 5 self paths + C>S1, C>S2, S1>D, S2>D (depth 1) + C>D twice (via S1 until the cut,
    # via S2 after it) = 11 rows, each interval the intersection of its links
    assert len(paths) == 11
    via = paths[(paths.descendant_code == "C") & (paths.ancestor_code == "D")]
    intervals = sorted(zip(via.valid_from, via.valid_to, strict=True))
    assert intervals == [(SINCE_EVER, cut), (cut, UNTIL_FURTHER)]


def test_subtree_is_one_query_on_the_stored_closure(any_store):
    with any_store.begin() as conn:
        counts = orgunits.write_versions(
            conn,
            [
                _v("D", None, "district"),
                _v("S", "D", "street"),
                _v("C1", "S", "community"),
                _v("C2", "S", "community"),
            ],
            actor="test",
        )
        assert counts == {"inserted": 4, "updated": 0, "unchanged": 0}
        assert orgunits.subtree(conn, "S", dt.date(2025, 1, 1)) == ["S", "C1", "C2"]
        assert orgunits.subtree_depths(conn, "D", dt.date(2025, 1, 1)) == {
            "D": 0,
            "S": 1,
            "C1": 2,
            "C2": 2,
        }


def test_one_lookup_answers_is_this_an_org_unit(any_store):
    cut = dt.date(2023, 1, 1)
    with any_store.begin() as conn:
        orgunits.write_versions(
            conn,
            [
                _v("D", None, "district"),
                _v("S", "D", "street"),
                _v("C", "S", "community", end=cut),
                _v("C", "D", "community", start=cut),
                _v("X", None, "community", end=cut),
                _v("X", "D", "community", start=cut),
            ],
            actor="test",
        )
        assert orgunits.known_codes(conn, ["C", "S", "NOPE", "", None]) == {"C", "S"}
        # more codes than one IN (...) holds: every code is read once, same answer
        many = [f"N{i}" for i in range(1000)] + ["D"]
        assert orgunits.known_codes(conn, many) == {"D"}
        assert orgunits.known_codes(conn, []) == set()
        assert orgunits.exists(conn, "C") and not orgunits.exists(conn, "NOPE")
        orgunits.require(conn, "C", VoiceError)
        with pytest.raises(VoiceError, match="unknown org unit 'NOPE'") as caught:
            orgunits.require(conn, "NOPE", VoiceError, field="org_unit")
        assert caught.value.field == "org_unit" and "未知的组织单位" in str(caught.value)
        # a root has no parent in any version: X had none until 2023, then D
        assert orgunits.top_units(conn) == ["D"]
        assert orgunits.is_top(conn, "D")
        assert not orgunits.is_top(conn, "X") and not orgunits.is_top(conn, "NOPE")
