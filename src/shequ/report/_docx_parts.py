"""Parts of the Word evaluation report: its words (`TEXT`, from the word table), and Word
building blocks: page, styles, tables, footer, pictures.

python-docx sets only the Latin font of a style; Chinese text takes the East Asian font
(``w:rFonts/@w:eastAsia``), which the default template leaves to the theme
(``w:eastAsiaTheme``, which would win over an explicit ``w:eastAsia``). `setup_document`
therefore writes the East Asian font of Normal (serif, for body text) and of the title and
heading styles (sans) itself, and drops the theme attribute.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..framework import labels
from . import fonts
from .context import ReportContext

TABLE_STYLE = "Table Grid"
TABLE_TEXT = "Table Text"  # a paragraph style for table cells (smaller, no spacing)
NOTE = "Report Note"  # a paragraph style for "left out because ..." sentences
HEADER_FILL = "DDEBF7"
BLACK = RGBColor(0, 0, 0)
NOTE_GREY = RGBColor(0x59, 0x59, 0x59)
HEADINGS = {"Title": 22, "Heading 1": 16, "Heading 2": 13, "Heading 3": 11}  # points
FOOTER = {"zh": ("第 ", " 页"), "en": ("Page ", "")}
COVER = list(labels.section("docx_cover").values())
TEXT = labels.section("docx")  # key: (Chinese, English)


def setup_document(lang: str) -> DocumentObject:
    """An empty A4 document with CJK fonts on its styles and page numbers in the footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.8)
    _language(doc)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    set_east_asian_font(normal, fonts.SERIF)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in HEADINGS.items():
        style = doc.styles[name]
        set_east_asian_font(style, fonts.SANS)
        style.font.size = Pt(size)
        style.font.color.rgb = BLACK  # official documents: black headings
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _remove_title_rule(doc)
    cell_text = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    cell_text.base_style = normal
    cell_text.font.size = Pt(9)
    cell_text.paragraph_format.space_after = Pt(0)
    cell_text.paragraph_format.line_spacing = 1.0
    note = doc.styles.add_style(NOTE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.italic = True
    note.font.color.rgb = NOTE_GREY
    page_number_footer(doc, lang)
    return doc


def set_east_asian_font(style, font: str) -> None:
    """Set the East Asian font of ``style`` (python-docx does not), replacing the theme's."""
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def page_number_footer(doc: DocumentObject, lang: str) -> None:
    """A centred "第 N 页" / "Page N" in the footer, N being Word's PAGE field; the cover
    (the first page) has none."""
    before, after = FOOTER[lang]
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(before)
    add_field(paragraph, "PAGE", "1")
    if after:
        paragraph.add_run(after)


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) in ``paragraph``."""

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def add_table(
    doc: DocumentObject,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float] | None = None,
    fills: Sequence[Sequence[str | None]] | None = None,
    numeric: Sequence[int] = (),
) -> Table:
    """A 'Table Grid' table: a bold, shaded header row repeated on every page, then ``rows``.

    ``widths`` are in centimetres; ``fills`` are cell shadings (hex, None for none), row by
    row; columns in ``numeric`` are right-aligned.
    """
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _write(cell, text, bold=True)
        shade(cell, HEADER_FILL)
    _repeat_header(table.rows[0])
    for r, values in enumerate(rows):
        cells = table.add_row().cells
        for c, (cell, text) in enumerate(zip(cells, values, strict=True)):
            right = c in numeric
            _write(cell, text, align=WD_ALIGN_PARAGRAPH.RIGHT if right else None)
            fill = fills[r][c] if fills is not None else None
            if fill:
                shade(cell, fill)
    if widths is not None:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid, which LibreOffice reads
        for row in table.rows:  # the cells, which Word reads
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return table


def shade(cell: _Cell, fill: str) -> None:
    """Fill ``cell`` with the colour ``fill`` (hex, no '#')."""
    tcpr = cell._tc.get_or_add_tcPr()
    for old in tcpr.findall(qn("w:shd")):
        tcpr.remove(old)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def add_picture(doc: DocumentObject, png: bytes, *, width_cm: float = 15.0) -> None:
    """A centred PNG picture in its own paragraph."""
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def add_note(doc: DocumentObject, text: str) -> Paragraph:
    """A sentence saying why something is left out (grey, italic)."""
    return doc.add_paragraph(text, style=NOTE)


def _write(cell: _Cell, text: str, *, bold: bool = False, align=None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_TEXT
    run = paragraph.add_run(text)
    run.bold = bold or None
    if align is not None:
        paragraph.alignment = align


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _language(doc: DocumentObject) -> None:
    """Proofing languages of the whole document (docDefaults): English and Chinese."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _remove_title_rule(doc: DocumentObject) -> None:
    """The default template underlines Title with a blue rule; a cover has none."""
    ppr = doc.styles["Title"].element.pPr
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)


# Wording shared by the report's sections


def count_words(tally: pd.Series, words: dict, t: dict, lang: str) -> list[str]:
    """Words like "达标 3 项" / "3 met" for each key of ``words`` (in its order) that is counted."""
    return [
        t["count"].format(label=labels.pick(words[k], lang), n=int(tally[k]))
        for k in words
        if k in tally
    ]


def unit_names(context: ReportContext) -> dict[str, str]:
    frame = pd.concat([context.indicators, context.subunits], ignore_index=True)
    return dict(zip(frame["org_unit"].astype(str), frame["org_unit_name"].astype(str), strict=True))


def with_unit(shown: str, unit: str) -> str:
    """A number with its unit ("37.5%", "43.5 m²/人"); a dash stays a bare dash."""
    if shown == "—" or not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def difference(value: float, decimals: int, unit: str, t: dict) -> str:
    """A gap with its unit; a gap between two percentages is in percentage points."""
    return (
        f"{labels.number(value, decimals)} {t['points'] if unit.startswith('%') else unit}".rstrip()
    )
