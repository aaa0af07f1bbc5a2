"""Charts of the evaluation report as PNG bytes, shared by the Word, PDF and HTML reports.

``dimension_chart``: how far each indicator of one dimension is from its target
(attainment = value / target × 100 %, or target / value for lower-is-better targets,
capped at 150 %), bars coloured by status. ``ranking_chart``: the direct sub-units'
overall composite scores, with their rank and 90 % rank interval written beside each bar.

Every chart is ``WIDTH`` inches wide at ``DPI`` (975 pixels); its height is ``HEIGHT``
inches (480 pixels), growing with the number of bars beyond ``ROOMY_BARS`` (see
`chart_size`), so the same context always gives a PNG of the same size. A chart with
nothing to show is None: the caller then writes a sentence instead.
"""

from __future__ import annotations

import io
import math

import pandas as pd

from ..framework import labels
from . import fonts
from .context import ReportContext

WIDTH = 6.5  # inches
HEIGHT = 3.2  # inches, for up to ROOMY_BARS bars
DPI = 150
ROOMY_BARS = 7
BAR_HEIGHT = 0.3  # inches per bar beyond ROOMY_BARS
MAX_HEIGHT = 9.0  # inches
CAP = 150.0  # attainment is drawn up to 150 %
LOWER_COMPARATORS = ("<", "<=", "reduce_by")
EDGE = "#7F7F7F"
SCORE_COLOUR = "#9DC3E6"
NOTE_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.5}  # hides the 100 % line

TEXT = labels.by_language("chart")


def chart_size(bars: int) -> tuple[int, int]:
    """Width and height in pixels of a chart with ``bars`` bars (6.5 × 3.2 in for a few)."""
    height = min(HEIGHT + max(bars - ROOMY_BARS, 0) * BAR_HEIGHT, MAX_HEIGHT)
    return round(WIDTH * DPI), round(height * DPI)


def attainment(value: float, target: float, *, lower: bool) -> float:
    """Value against target in per cent (100 = just met), between 0 and `CAP`.

    For a lower-is-better target it is target / value: a value half the target is 200 %,
    drawn as 150 %. Dividing by zero (a value of 0 under a ceiling, or a floor of 0)
    counts as fully attained.
    """
    numerator, denominator = (target, value) if lower else (value, target)
    ratio = CAP if denominator <= 0 else numerator / denominator * 100
    return max(0.0, min(ratio, CAP))


def is_lower(comparator: object, direction: object) -> bool:
    """Whether a target is met by staying below it (its comparator, else the direction)."""
    if isinstance(comparator, str):
        return comparator in LOWER_COMPARATORS
    return direction == "lower"


def dimension_chart(context: ReportContext, dimension: str, *, lang: str = "zh") -> bytes | None:
    """Attainment of the dimension's indicators that have a value and a target, or None."""
    rows = context.indicators[context.indicators["dimension"] == dimension]
    rows = rows[rows["value"].notna() & rows["target"].notna()]
    if rows.empty:
        return None
    t = TEXT[lang]
    names, shares, colours, notes = [], [], [], []
    for r in rows.itertuples(index=False):
        lower = is_lower(r.comparator, getattr(r, "direction", "higher"))
        share = attainment(float(r.value), float(r.target), lower=lower)
        names.append(r.indicator_name if lang == "zh" else r.indicator_name_en)
        shares.append(share)
        colours.append("#" + labels.STATUS_COLOUR.get(r.status, labels.STATUS_COLOUR["no_data"]))
        status = labels.pick(labels.STATUS.get(r.status, (r.status, r.status)), lang)
        notes.append(f"{_percent(share)}  {status}")
    dim = _dimension_name(context, dimension, lang)
    fig, ax = _figure(len(names))
    positions = list(range(len(names)))[::-1]  # the plan's order, top to bottom
    ax.barh(positions, shares, color=colours, edgecolor=EDGE, linewidth=0.6, height=0.6)
    ax.axvline(100, color="#404040", linewidth=1.0, linestyle="--")
    for y, share, note in zip(positions, shares, notes, strict=True):
        ax.text(share + 2, y, note, va="center", fontsize=7.5, bbox=NOTE_BOX)
    ax.set_yticks(positions, names, fontsize=8)
    ax.set_xlim(0, CAP + 30)  # room for the notes
    ax.set_xticks([0, 25, 50, 75, 100, 125, 150])
    ax.spines["bottom"].set_bounds(0, CAP)
    ax.set_xlabel(t["attainment"], fontsize=8)
    ax.set_title(t["dimension_title"].format(name=dim), fontsize=9)
    _tidy(ax, len(names))
    return _png(fig)


def ranking_chart(context: ReportContext, *, lang: str = "zh") -> bytes | None:
    """The direct sub-units' overall scores, best on top, with rank intervals; or None."""
    frame = context.rankings
    if frame is None or frame.empty:
        return None
    frame = frame.sort_values(["score", "org_unit"], ascending=[False, True])
    t = TEXT[lang]
    names = [_text(n, u) for n, u in zip(frame["org_unit_name"], frame["org_unit"], strict=True)]
    scores = [0.0 if pd.isna(s) else float(s) for s in frame["score"]]
    notes = [
        t["rank"].format(rank=_whole(r.rank), low=_whole(r.rank_low), high=_whole(r.rank_high))
        for r in frame.itertuples(index=False)
    ]
    fig, ax = _figure(len(names))
    positions = list(range(len(names)))[::-1]
    ax.barh(positions, scores, color=SCORE_COLOUR, edgecolor=EDGE, linewidth=0.6, height=0.6)
    for y, score, raw, note in zip(positions, scores, frame["score"], notes, strict=True):
        shown = labels.number(raw, 1)
        ax.text(score + 1.5, y, f"{shown}  {note}", va="center", fontsize=7.5)
    ax.set_yticks(positions, names, fontsize=8)
    ax.set_xlim(0, 135)  # scores are 0–100; the rest is room for the notes
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_xlabel(t["score"], fontsize=8)
    ax.set_title(t["ranking_title"], fontsize=9)
    _tidy(ax, len(names))
    return _png(fig)


def _figure(bars: int):
    fonts.configure_matplotlib()
    from matplotlib.figure import Figure

    # A Figure without pyplot: nothing is kept in pyplot's registry, so nothing to close.
    # Half a pixel more than the size: Agg truncates inches × dpi to whole pixels, and
    # 5.3 in × 150 may come out as 794.999...
    width, height = ((px + 0.5) / DPI for px in chart_size(bars))
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig, fig.add_subplot()


def _tidy(ax, bars: int) -> None:
    """Light grid, no top/right frame; a few bars keep the width they would have among 3."""
    pad = 0.6 + max(3 - bars, 0) / 2
    ax.set_ylim(-pad, bars - 1 + pad)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E0E0E0", linewidth=0.5)
    ax.set_axisbelow(True)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    # No bbox_inches="tight": the PNG keeps the configured size. No software metadata,
    # so that identical charts are identical bytes.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    fig.clear()
    return buffer.getvalue()


def _dimension_name(context: ReportContext, code: str, lang: str) -> str:
    for dim in context.plan.dimensions:
        if dim.code == code:
            return dim.name if lang == "zh" else dim.name_en
    return code


def _percent(share: float) -> str:
    """An attainment as printed: whole per cent, except next to 100 % (99.6 % is not 100 %)."""
    if share >= CAP:
        return f"≥{CAP:.0f}%"
    return f"{share:.1f}%" if 99 <= share < 101 else f"{share:.0f}%"


def _whole(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):.0f}"


def _text(name: object, code: object) -> str:
    return (
        str(code) if name is None or (isinstance(name, float) and math.isnan(name)) else str(name)
    )
