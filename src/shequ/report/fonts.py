"""Chinese fonts for documents: find Noto Sans/Serif CJK (Debian's fonts-noto-cjk) and
tell every renderer to use it, so that no character is drawn as an empty box (tofu)."""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

SANS = "Noto Sans CJK SC"
SERIF = "Noto Serif CJK SC"
FALLBACKS = [
    SANS,
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "DejaVu Sans",
]
SEARCH = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
MISSING = (
    "找不到中文字体（请安装 fonts-noto-cjk），文档中的中文可能显示为方框 / no CJK font found "
    "(install Debian's fonts-noto-cjk): Chinese text may be drawn as empty boxes"
)


@functools.cache
def cjk_font_file() -> Path | None:
    """The Noto Sans CJK file on this machine, or None (with a warning)."""
    for root in SEARCH:
        for pattern in ("**/NotoSansCJK-Regular.ttc", "**/NotoSansCJK*.ttc", "**/NotoSansSC*.otf"):
            found = sorted(Path(root).glob(pattern)) if Path(root).exists() else []
            if found:
                return found[0]
    warnings.warn(MISSING, stacklevel=2)
    return None


@functools.cache
def configure_matplotlib() -> None:
    """Use the CJK font in matplotlib (once per process) and the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    path = cjk_font_file()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
    rcParams["font.sans-serif"] = FALLBACKS
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
