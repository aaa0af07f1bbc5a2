"""PDF documents through WeasyPrint: the evaluation report and the community scorecards.

Fonts: the stylesheet asks for Noto Sans/Serif CJK SC (Debian's fonts-noto-cjk); without
them Chinese would be drawn as empty boxes, so a missing font is warned about.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import MissingExtraError
from . import fonts
from .context import ReportContext
from .html import render_report
from .scorecard import render_scorecards


def _write(html: str, path: Path) -> Path:
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # OSError: pango missing
        raise MissingExtraError("weasyprint", "report") from None
    fonts.cjk_font_file()  # warns when no CJK font is installed
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(path)
    return path


def write_pdf(context: ReportContext, path: str | Path, *, lang: str = "zh") -> Path:
    """The whole evaluation report, with page numbers, as PDF."""
    return _write(render_report(context, lang=lang), Path(path))


def write_scorecards(
    context: ReportContext, path: str | Path, *, lang: str = "zh", units: list[str] | None = None
) -> Path:
    """One page per community of the context's subtree (or ``units``), for notice boards."""
    return _write(render_scorecards(context, lang=lang, units=units), Path(path))
