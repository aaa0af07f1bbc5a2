"""The org-unit tree (versions, closure, subtree) and the one org-unit lookup."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import inspect as sa_inspect
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


def test_closure_of_a_restructured_county_is_rebuilt_depth_by_depth(any_store):
    # P > C > K1 > S > V until 2023-01-01; then the county K1 closes and S moves to K2
    # (K2 opened 2020-01-01 under C). Paths by hand, each link joined with every version
    # of the parent and cut to where both exist:
    #   depth 0: the 7 versions (S has two);
    #   depth 1: C>P, K1>C, K2>C [2020, -), S>K1 [-, cut), S>K2 [cut, -), and V>S twice
    #            (once per version of S: [-, cut) and [cut, -)) = 7;
    #   depth 2: K1>P, K2>P, S>C twice, V>K1 [-, cut), V>K2 [cut, -) = 6;
    #   depth 3: S>P twice, V>C twice = 4;   depth 4: V>P twice = 2;   in all 26.
    cut, k2_opened = dt.date(2023, 1, 1), dt.date(2020, 1, 1)
    units = [
        _v("P", None, "province"),
        _v("C", "P", "city"),
        _v("K1", "C", "district", end=cut),
        _v("K2", "C", "district", start=k2_opened),
        _v("S", "K1", "street", end=cut),
        _v("S", "K2", "street", start=cut),
        _v("V", "S", "community"),
    ]
    with any_store.begin() as conn:
        orgunits.write_versions(conn, units, actor="test")
        paths = orgunits_paths(conn)
        assert len(paths) == 26
        depths = paths[paths.descendant_code == "V"].groupby("depth").size().to_dict()
        assert depths == {0: 1, 1: 2, 2: 2, 3: 2, 4: 2}
        v_to_c = paths[(paths.descendant_code == "V") & (paths.ancestor_code == "C")]
        assert sorted(zip(v_to_c.valid_from, v_to_c.valid_to, strict=True)) == [
            (SINCE_EVER, cut),
            (cut, UNTIL_FURTHER),
        ]
        # S is under K2 only from the cut, although K2 exists from 2020
        s_to_k2 = paths[(paths.descendant_code == "S") & (paths.ancestor_code == "K2")]
        assert list(zip(s_to_k2.valid_from, s_to_k2.valid_to, strict=True)) == [
            (cut, UNTIL_FURTHER)
        ]
        assert orgunits.subtree(conn, "K1", dt.date(2022, 6, 1)) == ["K1", "S", "V"]
        assert orgunits.subtree(conn, "K2", dt.date(2022, 6, 1)) == ["K2"]
        assert orgunits.subtree(conn, "K2", dt.date(2023, 6, 1)) == ["K2", "S", "V"]
        # a new name keeps every path (the closure is not rebuilt); a new parent moves them
        renamed = [{**u, "name": "新名"} if u["code"] == "V" else u for u in units]
        counts = orgunits.write_versions(conn, renamed, actor="test")
        assert counts == {"inserted": 0, "updated": 1, "unchanged": 6}
        assert orgunits.names(conn)["V"] == "新名"
        assert len(orgunits_paths(conn)) == 26
        moved = [{**u, "parent_code": "K2"} if u["code"] == "V" else u for u in renamed]
        orgunits.write_versions(conn, moved, actor="test")
        # V directly under K2 (from 2020, when K2 opened; before that V had no parent
        # link that existed): depth 1 K2 [2020, further), depth 2 C, depth 3 P = 3 + V itself
        v_paths = orgunits_paths(conn).query("descendant_code == 'V'")
        assert sorted(v_paths.ancestor_code) == ["C", "K2", "P", "V"]
        assert set(v_paths.valid_from) == {SINCE_EVER, k2_opened}


def orgunits_paths(conn) -> pd.DataFrame:
    paths = pd.read_sql(select(OrgUnitPath), conn)
    return paths.assign(
        valid_from=paths.valid_from.map(lambda d: dt.date.fromisoformat(str(d))),
        valid_to=paths.valid_to.map(lambda d: dt.date.fromisoformat(str(d))),
    )


def test_the_closure_indexes_are_back_after_a_rebuild(any_store):
    # SQLite loads the closure without its indexes and builds them once; they must exist
    # afterwards, or every subtree query scans 3 million paths
    with any_store.begin() as conn:
        orgunits.write_versions(conn, [_v("D", None, "district")], actor="test")
        table = OrgUnitPath.__table__
        stored = {i["name"] for i in sa_inspect(conn).get_indexes(table.name)}
        assert (
            stored
            == {i.name for i in table.indexes}
            == {
                "ix_path_ancestor",
                "ix_path_descendant",
            }
        )
