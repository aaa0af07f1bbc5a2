"""``shequ evaluate`` (with composite scores) and ``shequ diagnose``."""

import textwrap

from tests._files import write
from tests.cli._invoke import UNITS, invoke, two_communities


def test_composite_and_diagnose_commands(tmp_path):
    # A: 50000/1000 = 50 m² (meets >= 40), participation 600/1000 = 60 %; B: 30 m², 90 %
    db = two_communities(tmp_path)
    result = invoke(
        "evaluate", "--period", "2025", "--db", db, "--composite", "--level", "community"
    )
    assert result.exit_code == 0, result.output
    assert "综合得分排名" in result.output and "协调" in result.output
    result = invoke("diagnose", "A", "--period", "2025", "--db", db)
    assert result.exit_code == 0, result.output
    assert "居民参与率" in result.output  # A's gap: participation 60 % against 80 %


def test_inconsistent_ahp_judgements_stop_before_anything_runs(tmp_path):
    db = tmp_path / "c.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", db)
    # infrastructure ≫ public services ≫ governance ≫ infrastructure: a cycle, CR far above 0.1
    plan = tmp_path / "p.yaml"
    plan.write_text(
        textwrap.dedent("""
        extends: national
        code: bad
        name: 不一致
        name_en: inconsistent
        composite:
          dimension_weighting: ahp
          ahp:
            items: [infrastructure, public_services, governance]
            matrix: [[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]]
        """),
        encoding="utf-8",
    )
    result = invoke("evaluate", "--period", "2025", "--db", db, "--plan", plan, "--composite")
    assert result.exit_code == 2 and "CR" in result.output and "infrastructure" in result.output
    import pytest

    from shequ.errors import EvaluationError
    from shequ.store import runs
    from shequ.store.db import open_store

    with open_store(db).begin() as conn, pytest.raises(EvaluationError):
        runs.get(conn, "latest")  # no run was recorded


def test_composite_says_which_dimensions_it_left_out_and_why(tmp_path):
    db = two_communities(tmp_path)
    args = ("evaluate", "--period", "2025", "--db", db, "--level", "community")
    result = invoke(*args, "--composite", "--audit")
    assert result.exit_code == 0, result.output
    # infrastructure: 2 of the 2 × 3 cells hold a value = 33 % < 67 %; three dimensions none
    assert "基础设施（仅 33% 的数据可得，低于阈值 67%）" in result.output
    assert "社区文化（任何单位均无该维度数据）" in result.output
    assert "维度权重：社区治理 1.000" in result.output  # the one dimension left weighs 1
    assert "克朗巴赫α" in result.output and "None" not in result.output
    english = invoke(*args, "--composite", "--lang", "en")
    assert "Dimension left out of the composite: Culture (no unit has data for it)" in (
        english.output
    )


def test_a_level_of_many_units_prints_a_summary_not_every_table(tmp_path):
    db = two_communities(tmp_path)
    args = ("evaluate", "--period", "2025", "--db", db, "--level", "community")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    # A meets living area (50 >= 40) but not participation (60 < 80); B the reverse
    assert "各层级评估结果" in result.output and "1/2" in result.output
    assert "甲社区 (A) · 2025" not in result.output  # no per-unit table
    every = invoke(*args, "--all")
    assert "甲社区 (A) · 2025" in every.output and "乙社区 (B) · 2025" in every.output


def test_diagnosing_a_unit_below_the_data_threshold_says_why(tmp_path):
    db = tmp_path / "c.db"
    units = UNITS + "D,丁社区,S,社区\n"
    invoke("import", "orgunits", write(tmp_path / "u.csv", units), "--db", db)
    # A, B report participation; D reports nothing of it: governance has 2 of 3 cells (2/3,
    # kept); D has 0 of the 1 kept indicator: not scored
    values = write(
        tmp_path / "v.csv",
        """
        org_unit,period,adult_population,participants
        A,2025,1000,600
        B,2025,1000,900
        D,2025,1000,
    """,
    )
    assert invoke("import", "values", values, "--db", db).exit_code == 0
    result = invoke("diagnose", "D", "--period", "2025", "--db", db)
    assert result.exit_code == 2, result.output
    assert "单位 D 在 2025 没有综合得分" in result.output and "低于阈值 67%" in result.output
