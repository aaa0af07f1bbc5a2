"""The PDF report and scorecards: content read back with independent tools (pypdf,
pdftotext, pdffonts, pdftoppm), Chinese drawn with a real CJK font (no tofu)."""

import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from pypdf import PdfReader

from shequ.framework import labels
from shequ.report.pdf import write_pdf, write_scorecards

POPPLER = shutil.which("pdftoppm") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(
    not POPPLER and os.environ.get("SHEQU_REQUIRE_SERVICES") != "1",
    reason="poppler-utils (pdftoppm, pdffonts) is not installed",
)


@pytest.fixture(scope="module")
def city_pdf(city_context, tmp_path_factory):
    return write_pdf(city_context, tmp_path_factory.mktemp("pdf") / "city.pdf")


def text_of(path):
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_every_indicator_value_and_status_is_in_the_pdf(city_pdf, city_context):
    text = text_of(city_pdf).replace("\n", " ")
    for row in city_context.indicators.itertuples():
        assert row.indicator_name in text
        assert labels.number(row.value, int(row.decimals)) in text, row.indicator
    for label in {labels.STATUS[s][0] for s in city_context.indicators["status"]}:
        assert label in text
    assert city_context.findings["coverage"][0][:10] in text  # measured coverage
    assert city_context.voice[0][0][:10] in text  # residents' voice (suggestions, surveys)


def test_pages_are_numbered(city_pdf):
    reader = PdfReader(city_pdf)
    assert len(reader.pages) >= 4
    for number, page in enumerate(reader.pages[1:], start=2):  # the cover has no number
        assert re.search(rf"—\s*{number}\s*—", page.extract_text()), number


@needs_poppler
def test_chinese_is_drawn_with_a_cjk_font_not_tofu(street_context, tmp_path):
    unit = street_context.subunits.loc[
        street_context.subunits["level"] == "community", "org_unit"
    ].iloc[0]
    good = write_scorecards(street_context, tmp_path / "good.pdf", units=[unit])
    fonts = subprocess.run(["pdffonts", str(good)], capture_output=True, text=True).stdout
    assert "Noto-Sans-CJK" in fonts or "Noto-Serif-CJK" in fonts
    # the same page rendered in a child process that can see no CJK font at all
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        textwrap.dedent("""\
        <?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>
        <cachedir>{cache}</cachedir></fontconfig>""").format(cache=tmp_path / "fc-cache")
    )
    script = textwrap.dedent(f"""
        import pickle, sys
        from shequ.report.pdf import write_scorecards
        context = pickle.load(open({str(tmp_path / "ctx.pkl")!r}, "rb"))
        write_scorecards(context, {str(tmp_path / "tofu.pdf")!r}, units=[{unit!r}])
    """)
    import pickle

    with open(tmp_path / "ctx.pkl", "wb") as handle:
        pickle.dump(street_context, handle)
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run([sys.executable, "-W", "ignore", "-c", script], check=True, env=env)
    tofu_fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "tofu.pdf")], capture_output=True, text=True
    ).stdout
    assert "CJK" not in tofu_fonts
    good_png, tofu_png = (_render(tmp_path / name, tmp_path) for name in ("good.pdf", "tofu.pdf"))
    # the glyphs differ from the boxes drawn without the font over a large part of the page
    assert (good_png != tofu_png).mean() > 0.01


def _render(pdf, folder):
    from matplotlib import image

    stem = folder / pdf.stem
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-gray", "-singlefile", str(pdf), str(stem)], check=True
    )
    return np.asarray(image.imread(f"{stem}.png")) < 0.5


def test_scorecards_are_one_page_per_community(street_context, tmp_path):
    communities = street_context.subunits.loc[
        street_context.subunits["level"] == "community", "org_unit"
    ]
    chosen = list(dict.fromkeys(communities))[:3]
    path = write_scorecards(street_context, tmp_path / "cards.pdf", units=chosen)
    reader = PdfReader(path)
    assert len(reader.pages) == 3
    first = reader.pages[0].extract_text()
    subunits = street_context.subunits
    name = subunits.loc[subunits["org_unit"] == chosen[0], "org_unit_name"].iloc[0]
    assert f"{name}发展记分卡" in first.replace("\n", "")
