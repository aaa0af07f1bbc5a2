"""The report's residents'-voice section: the unit's three rates and top categories and the
survey rates with intervals, or a sentence saying it is left out when there is no data."""

from __future__ import annotations

from pathlib import Path

from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.report.context import build_context
from shequ.report.html import render_report
from shequ.store.db import Store
from shequ.voice.imports.suggestions import import_suggestions
from tests._city import ORG_UNITS
from tests._files import write

SUGGESTIONS = """
编号,内容,渠道,社区编码,受理时间,答复时间,办结时间,关闭时间,满意度评价
a1,3号楼路灯不亮,热线,A,2025-03-03 09:00,2025-03-04 09:00,2025-03-05 09:00,2025-03-06 09:00,5
a2,3号楼路灯不亮了,热线,A,2025-03-03 10:00,2025-03-10 09:00,,,
b1,电梯坏了,表单,B,2025-03-03 09:00,,,,
"""


def test_voice_section_of_a_street_report(sqlite_store: Store, tmp_path: Path) -> None:
    import_org_units(sqlite_store, write(tmp_path / "u.csv", ORG_UNITS))
    plan = load_plan()
    evaluate(sqlite_store, plan, periods=["2025"])
    empty = build_context(sqlite_store, unit="S1")
    assert "voice" in empty.missing and empty.voice == []
    import_suggestions(sqlite_store, write(tmp_path / "s.csv", SUGGESTIONS))
    from shequ.voice.duplicates import group_store

    with sqlite_store.begin() as conn:
        group_store(conn)
    context = build_context(sqlite_store, unit="S1")
    assert "voice" not in context.missing
    zh, en = context.voice[0]
    # S1 = A + B: received 3; a1 answered next working day -> 1/3 = 33.3 %; resolved 1/3;
    # 1 rated 5 -> 100 %; lighting 2, elevator 1
    assert "受理 3 件，响应率 33.3%，解决率 33.3%，满意率 100.0%" in zh
    assert "路灯" not in en and "lighting (2), elevator (1)" in en
    assert "（2次）" in context.voice[-1][0]  # a1 and a2: one problem reported twice
    html = render_report(context, lang="zh")
    assert "响应率 33.3%" in html
    from docx import Document

    from shequ.report.docx import write_docx

    text = "\n".join(p.text for p in Document(write_docx(context, tmp_path / "r.docx")).paragraphs)
    assert "响应率 33.3%" in text and "详见专项分析报告" not in text
