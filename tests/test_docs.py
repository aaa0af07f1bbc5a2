"""The docs keep up with the code: every plan field and every CLI command is documented."""

from pathlib import Path

import pytest
import typer

from shequ.cli import app
from shequ.framework.models import DataElement, Dimension, FacilityType, Indicator, Target
from shequ.framework.schedule import EvaluationJob, Schedule
from shequ.framework.scoring import ActionRule, CompositeSettings, Judgements, SensitivitySettings
from shequ.framework.validation import OutlierSettings, UnitBounds, ValidationRule
from shequ.framework.voice import Category, Deadlines, VoiceSettings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "model",
    [
        Dimension,
        DataElement,
        Indicator,
        Target,
        CompositeSettings,
        SensitivitySettings,
        Judgements,
        ActionRule,
        FacilityType,
        VoiceSettings,
        Deadlines,
        Category,
        ValidationRule,
        OutlierSettings,
        UnitBounds,
        Schedule,
        EvaluationJob,
    ],
)
def test_every_plan_field_is_in_the_plan_format_doc(model):
    doc = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    missing = [name for name in model.model_fields if f"`{name}`" not in doc]
    assert not missing, f"{model.__name__} fields not documented: {missing}"


def _command_paths(group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group: its commands, one level down
            yield from _command_paths(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = list(_command_paths(typer.main.get_command(app)))
    assert "import orgunits" in commands and "tasks create" in commands
    missing = [c for c in commands if f"shequ {c}" not in readme]
    assert not missing, f"commands not in README: {missing}"
