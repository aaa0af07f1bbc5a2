"""Classification: keyword rules first, a character n-gram model learned from staff labels
for what keywords miss, confidence kept, staff labels never overwritten."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shequ.demo._voice_texts import PROBLEMS, compose
from shequ.framework.loader import load_plan
from shequ.store.db import Store
from shequ.store.tables.voice import Suggestion
from shequ.voice import classify
from shequ.voice import suggestions as desk


@pytest.fixture(scope="module")
def rules() -> classify.KeywordRules:
    return classify.KeywordRules(load_plan().voice.taxonomy)


def test_keyword_rules_label_with_the_share_of_hits(rules: classify.KeywordRules) -> None:
    assert rules.label("电梯又坏了") == classify.Label("elevator", 1.0, "rule")
    # 消防通道 (fire) once, 停车 (parking) twice: parking with 2 of 3 hits
    label = rules.label("停车乱，车停在消防通道，停车位不够")
    assert label is not None and label.category == "parking"
    assert label.confidence == pytest.approx(2 / 3)
    assert rules.label("晚上回家黑漆漆的") is None  # no keyword
    assert rules.label("电梯旁边的路灯") is None  # one hit each: a tie decides nothing


def test_the_model_learns_what_keywords_miss(rules: classify.KeywordRules) -> None:
    rng = np.random.default_rng(7)
    cats = list(PROBLEMS)
    train = [(compose(rng, c)[0], c) for c in cats for _ in range(40)]
    model = classify.TextModel().fit([t for t, _ in train], [c for _, c in train])
    # phrases of the pools that hold no keyword of their category
    texts = ["晚上回家黑漆漆的看不见台阶", "冬天屋里只有十几度", "双职工家庭接孩子难"]
    labels, confidence, sources = classify.predict(texts, rules, model)
    assert labels == ["lighting", "utilities", "childcare"]
    assert sources == ["model"] * 3 and all(0 < p <= 1 for p in confidence)
    labels_rules_only, _, _ = classify.predict(texts, rules)
    assert labels_rules_only == [None, None, None]


def test_classify_store_keeps_staff_labels_and_trains_on_them(city: Store) -> None:
    rng = np.random.default_rng(3)
    with Session(city.engine) as s, s.begin():
        staff = []
        for c in PROBLEMS:
            for _ in range(4):
                staff.append(
                    desk.submit_suggestion(s, text=compose(rng, c)[0], channel="form", org_unit="A")
                )
        for item, c in zip(staff, [c for c in PROBLEMS for _ in range(4)], strict=True):
            desk.confirm_label(s, item.id, c, actor="staff")
        # a staff correction that the keyword rules would contradict
        odd = desk.submit_suggestion(s, text="电梯口的灯坏了", channel="form", org_unit="A")
        desk.confirm_label(s, odd.id, "lighting", actor="staff")
        plain = desk.submit_suggestion(
            s, text="冬天屋里只有十几度，太冷", channel="form", org_unit="B"
        )
        odd_id, plain_id = odd.id, plain.id
    with city.begin() as conn:
        report = classify.classify_store(conn, load_plan())
        rows = {r.id: r for r in conn.execute(select(Suggestion))}
    # 19 categories x 4 + 1 = 77 staff labels >= 50: a model is trained
    assert report.trained and report.staff == 77 and report.model == 1
    assert (rows[odd_id].category, rows[odd_id].label_source) == ("lighting", "staff")
    assert rows[plain_id].category == "utilities" and rows[plain_id].label_source == "model"
    assert 0 < rows[plain_id].confidence <= 1
