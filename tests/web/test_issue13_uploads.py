"""Issue 13 #1 and #11 in the web app: a bomb uploaded to /imports by unit staff is refused
with the reason, within seconds and without a quarantine file; an upload over the file limit
is cut off (413) instead of being read whole into memory."""

from __future__ import annotations

import time

from tests import _hostile


def _upload(client, name: str, content: bytes):
    return client.post(
        "/imports",
        data={"csrf_token": client.csrf},
        files={"file": (name, content, "application/octet-stream")},
    )


def test_issue13_1_a_bomb_upload_is_refused_with_the_reason(client_for, tmp_path, web_app):
    bomb = _hostile.cell_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024)  # 300 MiB inflated
    client = client_for("staff_s1")
    uploads = web_app.state.settings.data_dir / "uploads"
    before = set(uploads.rglob("*.quarantine.csv"))  # other tests' uploads share the folder
    started = time.monotonic()
    response = _upload(client, "bomb.xlsx", bomb.read_bytes())
    assert time.monotonic() - started < 10
    assert response.status_code == 400
    assert "SHEQU_IMPORT_MAX_INFLATED_BYTES" in response.text
    # the issue: a 287 MB quarantine file; now none is written for a refused file
    assert set(uploads.rglob("*.quarantine.csv")) == before


def test_issue13_11_an_upload_over_the_file_limit_is_cut_off(client_for, monkeypatch):
    monkeypatch.setenv("SHEQU_IMPORT_MAX_FILE_BYTES", "1000")
    content = b"org_unit,period,resident_population\n" + b"A,2025,1\n" * 200  # 1 836 bytes
    response = _upload(client_for("staff_s1"), "big.csv", content)
    assert response.status_code == 413
    assert "SHEQU_IMPORT_MAX_FILE_BYTES" in response.text
