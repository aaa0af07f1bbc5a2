"""What ``--engine spark`` refuses, before any JVM starts: options without Spark, and Spark
Connect without its gRPC packages (named, exit 2, no traceback)."""

import importlib.util

import pytest
from typer.testing import CliRunner

from shequ.cli import app
from shequ.spark import CONNECT_PACKAGES


def test_spark_connect_without_its_packages_names_what_to_install(sqlite_store):
    missing = [
        pkg
        for mod, pkg in CONNECT_PACKAGES.items()
        if importlib.util.find_spec(mod.split(".")[0]) is None
    ]
    if not missing:
        pytest.skip("the Spark Connect packages are installed here")
    result = CliRunner().invoke(
        app,
        ["evaluate", "--period", "2025", "--db", sqlite_store.url,
         "--spark-remote", "sc://127.0.0.1:15002"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "pip install" in result.output and missing[0] in result.output
    assert "Traceback" not in result.output


def test_master_and_remote_together_are_refused(sqlite_store):
    result = CliRunner().invoke(
        app,
        ["evaluate", "--period", "2025", "--db", sqlite_store.url,
         "--spark-master", "local[1]", "--spark-remote", "sc://127.0.0.1:15002"],
    )  # fmt: skip
    assert result.exit_code == 2 and "not both" in result.output
