"""Documents officials circulate: the Word report (评估报告), the Excel workbook, the PDF,
and a one-page scorecard per community — all from one evaluation run (`context`)."""

from . import context as context
