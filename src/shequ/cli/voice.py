"""``shequ voice …`` and ``shequ survey …``: residents' suggestions (classify, group, rates,
categories, feed, keygen) and satisfaction surveys (check, template, rates). Each command
parses, calls one library function and prints. (The voice importers are in `imports`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, LangOption, PlanOption, actor, command_group, console, language

voice_app = command_group("居民意见建议、参与 / residents' suggestions and participation.")
survey_app = command_group("满意度问卷 / satisfaction surveys.")
PeriodOption = Annotated[str, typer.Option("--period", help="期间 / period, e.g. 2025")]
LevelOption = Annotated[str | None, typer.Option(help="只列该层级 / only this level")]


@voice_app.command("classify")
def classify(db: DbOption = None, plan: PlanOption = None) -> None:
    """按关键词规则和已确认标签（重新）分类 / (re)classify suggestions."""
    from ..framework.loader import load_plan
    from ..store.db import open_store
    from ..voice.classify import classify_store

    with open_store(db).begin() as conn:
        r = classify_store(conn, load_plan(plan))
    model = "已训练 / trained" if r.trained else "规则 / rules only"
    console.print(
        f"人工 staff {r.staff:,} · 规则 rule {r.rule:,} · 模型 model {r.model:,} · "
        f"未分类 unclassified {r.unclassified:,} · {model} · {r.seconds:.2f}s"
    )


@voice_app.command("group")
def group(
    db: DbOption = None,
    top: Annotated[int, typer.Option(help="列出前N组")] = 10,
    lang: LangOption = "",
) -> None:
    """合并重复反映的问题并计数 / group near-duplicate suggestions."""
    from ..store.db import open_store
    from ..voice.duplicates import group_store, top_groups
    from ._show_voice import print_groups

    store = open_store(db)
    with store.begin() as conn:
        r = group_store(conn)
        largest = top_groups(conn, limit=top)
    console.print(
        f"{r.suggestions:,} 件 suggestions → {r.groups:,} 组 groups; "
        f"{r.grouped:,} 件在重复组 in repeated groups · {r.seconds:.2f}s"
    )
    print_groups(console, largest, language(lang))


@voice_app.command("rates")
def rates(
    period: PeriodOption,
    db: DbOption = None,
    plan: PlanOption = None,
    level: LevelOption = None,
    lang: LangOption = "",
) -> None:
    """响应率、解决率、满意率 / response, resolution and satisfaction rates."""
    from ..framework.loader import load_plan
    from ..store.db import open_store
    from ..voice.rates import suggestion_rates
    from ._show_voice import print_suggestion_rates

    with open_store(db).begin() as conn:
        frame = suggestion_rates(conn, period, load_plan(plan), level=level)
    print_suggestion_rates(console, frame, language(lang))


@voice_app.command("categories")
def categories(
    period: PeriodOption,
    db: DbOption = None,
    plan: PlanOption = None,
    level: LevelOption = None,
    top: Annotated[int, typer.Option(help="每个单位前N类 / top N per unit")] = 3,
    lang: LangOption = "",
) -> None:
    """各单位意见建议的主要类别 / the top suggestion categories per unit."""
    from ..framework.loader import load_plan
    from ..store.db import open_store
    from ..voice.rates import category_volume
    from ._show_voice import print_categories

    with open_store(db).begin() as conn:
        frame = category_volume(conn, period, load_plan(plan), level=level, top=top)
    print_categories(console, frame, language(lang))


@voice_app.command("feed")
def feed(period: PeriodOption, db: DbOption = None, plan: PlanOption = None) -> None:
    """把意见、问卷、参与、服务写成数据值供评估 / write voice results as data values."""
    from ..framework.loader import load_plan
    from ..store.db import open_store
    from ..voice.feed import feed_values

    r = feed_values(open_store(db), period, load_plan(plan), actor=actor())
    console.print(
        f"{r.period}: 新增 inserted {r.inserted:,}, 更新 updated {r.updated:,}, "
        f"未变 unchanged {r.unchanged:,}"
    )


@voice_app.command("keygen")
def keygen(
    key_file: Annotated[Path, typer.Option("--key-file")] = Path("~/.config/shequ/pseudonym.key"),
) -> None:
    """生成化名密钥文件（已存在则不动）/ create the pseudonym key file (kept if present)."""
    from ..voice.participation import create_key_file

    console.print(f"密钥文件 / key file: {create_key_file(key_file)}（请备份 / back it up）")


@survey_app.command("check")
def survey_check(file: Path) -> None:
    """检查问卷定义（XLSForm）/ check a questionnaire definition."""
    from ..voice.surveys.xlsform import load_instrument

    form = load_instrument(file)
    for note in form.notes:
        console.print(note, style="yellow", markup=False)
    console.print(
        f"{form.title} ({form.code} v{form.version}): {len(form.answerable)} 题 "
        f"questions, {len(form.choices)} 选项列表 choice lists — OK"
    )


@survey_app.command("template")
def survey_template(output: Path) -> None:
    """复制内置满意度问卷 XLSX / copy the built-in satisfaction form."""
    import shutil

    from ..voice.surveys.xlsform import default_instrument_path

    shutil.copyfile(default_instrument_path(), output)
    console.print(f"已写入 / written: {output}")


@survey_app.command("rates")
def survey_rates(
    period: PeriodOption,
    question: Annotated[str, typer.Option(help="题目名 / question name")] = "culture_satisfaction",
    db: DbOption = None,
    plan: PlanOption = None,
    level: LevelOption = None,
    lang: LangOption = "",
) -> None:
    """满意比例及95%置信区间 / satisfied share with 95% intervals."""
    from ..framework.loader import load_plan
    from ..store.db import open_store
    from ..voice.surveys.rates import survey_rates as run
    from ._show_voice import print_survey_rates

    with open_store(db).begin() as conn:
        frame = run(conn, period, question, load_plan(plan), level=level)
    print_survey_rates(console, frame, f"{question} {period}", language(lang))
