"""Residents' voice in the sample city: suggestions, survey answers, sign-in sheets and
service records for 2025, written as the files a city would have and imported through the
same imports a user runs; then classified, grouped and fed into the 2025 data values.

* ``suggestions_2025.xlsx``: ~6 000 suggestions from every channel in every community,
  about one in five a reworded repeat of another in the same block, with workflow times
  (some answered late, some never), ratings at closing, and staff-confirmed categories on
  about 15 % of them (what the classifier learns from);
* ``survey_2025.csv``: about 60 answers per community to the shipped questionnaire, with
  design weights by age group (a few communities with too few answers, two with none);
* ``signin_2025.csv`` (GBK): sign-in sheets of one street's activities, with ID or mobile
  numbers (pseudonymised on import with `participation.demo_key`: ``$SHEQU_PSEUDONYM_KEY``,
  else ``$SHEQU_PSEUDONYM_KEY_FILE`` or ``~/.config/shequ/demo-pseudonym.key``, never a
  file beside the store);
* ``services_2025.csv``: volunteer and social-organisation services in that street.

The city generator leaves those elements empty for 2025 (`BLANK_LATEST`), so these
computed values are the only ones, and a re-run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from ..framework.models import Plan
from ..ingest.report import ImportReport
from ..store import orgunits
from ..store.db import Store
from ..store.tables.core import DataValue
from ..voice import classify, duplicates, feed, rates
from ..voice.imports.attendance import import_attendance
from ..voice.imports.responses import import_responses
from ..voice.imports.services import import_services
from ..voice.imports.suggestions import import_suggestions
from ..voice.participation import demo_key
from ..voice.surveys import rates as survey_rates
from ._voice_files import VOICE_STREET, YEAR, write_files

_STREET_ELEMENTS = (
    "participants",
    "volunteer_service_hours",
    "people_served_home_help",
    "people_served_elderly_care",
    "people_served_medical",
)
#: elements the voice demo computes for the last year: element -> community-code prefix
BLANK_LATEST = {
    **dict.fromkeys(("culture_satisfied", "culture_answered", "feel_safe", "safety_answered"), ""),
    **dict.fromkeys(_STREET_ELEMENTS, VOICE_STREET),
}


@dataclass
class VoiceDemo:
    imports: list[ImportReport]
    classified: classify.ClassifyReport
    grouped: duplicates.GroupReport
    fed: feed.FeedReport
    city_rates: pd.Series
    culture: pd.Series
    safety: pd.Series
    few_answers: int
    participation: pd.Series

    def describe(self, lang: str = "zh") -> str:
        r, c, s, p = self.city_rates, self.culture, self.safety, self.participation
        k = self.classified
        if lang == "zh":
            return "\n".join(
                [
                    f"居民意见建议 {YEAR}：受理 {int(r.received):,} 件；响应率 {r.response_rate:.1f}%、"
                    f"解决率 {r.resolution_rate:.1f}%、满意率 {r.satisfaction_rate:.1f}%"
                    f"（{int(r.rated):,} 件有评价）",
                    f"  分类：人工确认 {k.staff:,}，模型 {k.model:,}，规则 {k.rule:,}；重复反映合并为 "
                    f"{self.grouped.groups:,} 组（最大一组 {self.grouped.largest} 件）",
                    f"满意度调查：文化生活满意 {c.rate:.1f}%（95%区间 {c.low:.1f}–{c.high:.1f}%，"
                    f"{int(c.answered):,} 份，加权有效样本 {c.n_eff:.0f}）；安全感 {s.rate:.1f}%"
                    f"（{s.low:.1f}–{s.high:.1f}%）；{self.few_answers} 个社区答卷少于30份，已提示",
                    f"居民参与（{p['name']}）：{int(p.participants):,} 名成年居民参加过活动 / "
                    f"{int(p.adults):,} 名成年居民 = {p.rate:.1f}%（每人只计一次）",
                ]
            )
        return "\n".join(
            [
                f"Residents' suggestions {YEAR}: {int(r.received):,} received; response "
                f"{r.response_rate:.1f}%, resolution {r.resolution_rate:.1f}%, satisfaction "
                f"{r.satisfaction_rate:.1f}% ({int(r.rated):,} rated)",
                f"  labels: staff {k.staff:,}, model {k.model:,}, rules {k.rule:,}; repeats grouped "
                f"into {self.grouped.groups:,} groups (largest {self.grouped.largest})",
                f"Survey: cultural-life satisfaction {c.rate:.1f}% (95% CI {c.low:.1f}–{c.high:.1f}%, "
                f"{int(c.answered):,} answers, weighted n_eff {c.n_eff:.0f}); sense of safety "
                f"{s.rate:.1f}% ({s.low:.1f}–{s.high:.1f}%); {self.few_answers} communities flagged "
                "for fewer than 30 answers",
                f"Participation ({p['name']}): {int(p.participants):,} adults took part / "
                f"{int(p.adults):,} adults = {p.rate:.1f}% (each person once)",
            ]
        )


def run_voice(store: Store, out_dir: Path, plan: Plan, *, seed: int = 2025) -> VoiceDemo:
    """Write the voice files into ``out_dir``, import, classify, group and feed 2025."""
    rng = np.random.default_rng(seed + 4)
    with store.begin() as conn:
        units = orgunits.units_on(conn, dt.date(YEAR, 12, 31))
        adults = dict(
            conn.execute(
                select(DataValue.org_unit, DataValue.value).where(
                    DataValue.data_element == "adult_population", DataValue.period == str(YEAR)
                )
            ).all()
        )
    communities = units[units["level"] == "community"]["code"].tolist()
    key = demo_key(out_dir, *([store.sqlite_path.parent] if store.sqlite_path else []))
    files = write_files(rng, out_dir, communities, adults)
    imports = [
        import_suggestions(store, files["suggestions"], plan=plan, actor="demo"),
        import_responses(store, files["survey"], actor="demo"),
        import_attendance(store, files["signin"], key=key, actor="demo"),
        import_services(store, files["services"], actor="demo"),
    ]
    with store.begin() as conn:
        classified = classify.classify_store(conn, plan)
        grouped = duplicates.group_store(conn)
    fed = feed.feed_values(store, str(YEAR), plan, actor="demo")
    with store.begin() as conn:
        top = rates.suggestion_rates(conn, str(YEAR), plan, level="city").iloc[0]
        culture_all = survey_rates.survey_rates(conn, str(YEAR), "culture_satisfaction", plan)
        safety = survey_rates.survey_rates(conn, str(YEAR), "safety_feeling", plan, level="city")
        street = pd.read_sql(
            select(DataValue.org_unit, DataValue.data_element, DataValue.value).where(
                DataValue.period == str(YEAR), DataValue.org_unit.like(f"{VOICE_STREET}%")
            ),
            conn,
        )
    wide = street.pivot_table(index="org_unit", columns="data_element", values="value")
    participants = wide["participants"].sum()
    adults_street = wide.loc[wide["participants"].notna(), "adult_population"].sum()
    name = units.set_index("code").loc[f"{VOICE_STREET}000", "name"]
    culture = culture_all[culture_all["level"] == "city"].iloc[0]
    few = int(((culture_all["level"] == "community") & (culture_all["warning"] != "")).sum())
    return VoiceDemo(
        imports,
        classified,
        grouped,
        fed,
        top,
        culture,
        safety.iloc[0],
        few,
        pd.Series(
            {
                "name": name,
                "participants": participants,
                "adults": adults_street,
                "rate": 100 * participants / adults_street,
            }
        ),
    )
