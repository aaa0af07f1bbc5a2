"""The few domain errors shequ raises; each subclasses a built-in.

``cli.py`` maps them to exit codes in one place. Messages are bilingual: Chinese first,
then English, because the users are Chinese officials and their IT contractors.
"""

from __future__ import annotations


class ShequError(Exception):
    """Base of every error shequ raises on purpose."""


class PlanError(ShequError, ValueError):
    """A plan (indicator framework) file is invalid: the message names file, line and reason."""


class PeriodError(ShequError, ValueError):
    """A period code is not a year (2025), quarter (2025Q3) or month (2025-07)."""


class StoreError(ShequError, RuntimeError):
    """The store cannot be opened, or is at a schema version this code does not know."""


class ImportFileError(ShequError, ValueError):
    """A whole file cannot be read (encoding, format, missing columns); no row was loaded."""


class EvaluationError(ShequError, RuntimeError):
    """An evaluation cannot run (no org units, unknown period, engine unavailable)."""


class MissingExtraError(ShequError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        msg = (
            f"缺少可选依赖 {package}，请安装：pip install 'shequ[{extra}]' / "
            f"optional dependency {package} is missing: pip install 'shequ[{extra}]'"
        )
        super().__init__(msg)


class VoiceError(ShequError, ValueError):
    """A suggestion, survey answer or attendance record is invalid, or a workflow step is
    not allowed; ``field`` names the input at fault (a question, a column, a status)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
