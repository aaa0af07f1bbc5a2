"""The browser libraries come from npm at set-up, not from git (issue 11: git hygiene)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = [
    "echarts.min.js",
    "leaflet.js",
    "leaflet.css",
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "favicon.png",
]


def test_no_installed_or_copied_file_is_tracked():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "node_modules", *[f"src/shequ/web/static/{b}" for b in BUNDLES]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == []


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed here")
@pytest.mark.parametrize("bundle", BUNDLES)
def test_make_install_serves_every_bundle(web_app, bundle):
    # make install (called by make test) ran npm ci and copied the bundles: a fresh clone
    # must serve them, leaflet.js included (it was missing when the copies were tracked).
    response = TestClient(web_app).get(f"/static/{bundle}")
    assert response.status_code == 200
    assert len(response.content) > 500
