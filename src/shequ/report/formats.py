"""Report formats, by name: each writes a `ReportContext` to a file.

``docx`` (Word report), ``xlsx`` (Excel workbook), ``pdf`` (the Word report's content via
HTML and WeasyPrint, with page numbers), ``html`` (the same, one self-contained page),
``scorecard`` (one PDF page per community). Writers are imported when used, so that a
format's dependencies load only for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import progress
from ..errors import ShequError
from .context import ReportContext

Writer = Callable[..., Path]


def _docx(context: ReportContext, path: Path, *, lang: str) -> Path:
    from .docx import write_docx

    return write_docx(context, path, lang=lang)


def _xlsx(context: ReportContext, path: Path, *, lang: str) -> Path:
    from .xlsx import write_xlsx

    return write_xlsx(context, path, lang=lang)


def _pdf(context: ReportContext, path: Path, *, lang: str) -> Path:
    from .pdf import write_pdf

    return write_pdf(context, path, lang=lang)


def _html(context: ReportContext, path: Path, *, lang: str) -> Path:
    from .html import render_report

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(context, lang=lang), encoding="utf-8")
    return path


def _scorecard(context: ReportContext, path: Path, *, lang: str) -> Path:
    from .pdf import write_scorecards

    return write_scorecards(context, path, lang=lang)


FORMATS: dict[str, Writer] = {
    "docx": _docx,
    "xlsx": _xlsx,
    "pdf": _pdf,
    "html": _html,
    "scorecard": _scorecard,
}
SUFFIX = {"docx": ".docx", "xlsx": ".xlsx", "pdf": ".pdf", "html": ".html", "scorecard": ".pdf"}


class ReportFormatError(ShequError, ValueError):
    """An unknown report format."""


def write(
    context: ReportContext, path: str | Path, *, fmt: str | None = None, lang: str = "zh"
) -> Path:
    """Write ``context`` as ``fmt`` (default: from the file's suffix) to ``path``: first
    beside it, then renamed onto it, so that ``path`` is a whole report or absent."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        msg = (
            f"未知的报告格式 {fmt}（可选：{', '.join(FORMATS)}）/ unknown report format {fmt} "
            f"(choose {', '.join(FORMATS)})"
        )
        raise ReportFormatError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.partial{path.suffix}")
    progress.phase(f"生成报告 / writing {path.name}")
    try:
        FORMATS[fmt](context, partial, lang=lang)
        partial.replace(path)  # a report killed while written never sits under its name
    finally:
        partial.unlink(missing_ok=True)
        progress.end()
    return path
