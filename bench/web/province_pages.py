"""Server time of the pages a province administrator opens, on an evaluated province store.

    python bench/web/province_pages.py --db var/prov/p20000.sqlite [--repeat 3]
    python bench/web/province_pages.py --quick      # a generated 300-community province


Logs in as a province administrator (added to the store if missing) through the app
in-process (FastAPI's TestClient: the time is the server's, without a network or a
browser), then times each page cold (first request of a run: the page data are computed)
and warm (cached), and prints the size of each answer. Budgets (issue 12): overview,
scorecard and ranking < 1 s, the entry grid < 2 s.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from shequ.store import accounts
from shequ.store.db import open_store
from shequ.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
BUDGETS = {"overview": 1.0, "scorecard": 1.0, "ranking": 1.0, "entry": 2.0}
USER, PASSWORD = "province_admin", "province admin 9"


def ensure_admin(db: str) -> tuple[str, str, str, str]:
    """(province, its biggest district, a community, a street) of the store; adds the
    province administrator when missing."""
    store = open_store(db)
    try:
        with store.begin() as conn:
            top = conn.execute(text("SELECT code FROM org_unit WHERE parent_code IS NULL")).scalar()
            district = conn.execute(
                text(
                    "SELECT ancestor_code FROM org_unit_path p JOIN org_unit u "
                    "ON u.code = p.ancestor_code WHERE u.level = 'district' "
                    "GROUP BY ancestor_code ORDER BY count(*) DESC LIMIT 1"
                )
            ).scalar()
            community = conn.execute(
                text(
                    "SELECT descendant_code FROM org_unit_path p JOIN org_unit u "
                    "ON u.code = p.descendant_code WHERE p.ancestor_code = :d "
                    "AND u.level = 'community' ORDER BY 1 LIMIT 1"
                ),
                {"d": district},
            ).scalar()
            street = conn.execute(
                text("SELECT parent_code FROM org_unit WHERE code = :c"), {"c": community}
            ).scalar()
            known = accounts.find_user(conn, USER)
        if known is None:
            accounts.add_user(
                store, USER, PASSWORD, role=accounts.ADMINISTRATOR, scope=top, actor="bench"
            )
    finally:
        store.close()
    return top, district, community, street


def login(client: TestClient) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf-token" content="([^"]*)"', page).group(1)
    answer = client.post(
        "/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def pages(top: str, district: str, community: str, street: str) -> dict[str, str]:
    return {
        "overview": "/",
        "overview_district": f"/?unit={district}",
        "scorecard": f"/units/{district}",
        "scorecard_community": f"/units/{community}",
        "ranking": "/ranking?level=community",
        "ranking_street": "/ranking?level=street",
        "entry": "/entry?period=2025",
        "entry_street": f"/entry?period=2025&unit={street}",
    }


def measure(db: str, repeat: int = 2, data_dir: Path | None = None) -> dict[str, dict]:
    """{page: {status, bytes, cold_s, warm_s}} of each page of `pages`."""
    units = ensure_admin(db)
    app = create_app(db, data_dir=data_dir or Path(db).parent / "webdata")
    out: dict[str, dict] = {}
    with TestClient(app, base_url="http://testserver") as client:
        login(client)
        for name, url in pages(*units).items():
            times, answer = [], None
            for _ in range(repeat):
                clock = time.perf_counter()
                answer = client.get(url)
                times.append(time.perf_counter() - clock)
            out[name] = {
                "url": url,
                "status": answer.status_code,
                "bytes": len(answer.content),
                "cold_s": round(times[0], 3),
                "warm_s": round(min(times[1:] or times), 3),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an evaluated province store (SQLite)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--quick", action="store_true", help="a generated, evaluated 300-community province"
    )
    args = parser.parse_args(argv)
    if args.quick:
        sys.path.insert(0, str(ROOT))
        from tests.web import _province  # the scale tests' generator (one home)

        args.db = str(_province.cached(300))
    elif not args.db:
        parser.error("--db or --quick")
    found = measure(args.db, args.repeat)
    for name, row in found.items():
        budget = BUDGETS.get(name.split("_")[0])
        flag = "" if budget is None or row["cold_s"] < budget else "  OVER BUDGET"
        print(
            f"{name:22} {row['status']} {row['bytes']:>9,} B  cold {row['cold_s']:7.3f} s  "
            f"warm {row['warm_s']:7.3f} s{flag}"
        )
    print(json.dumps(found))
    bad = {name: row["status"] for name, row in found.items() if row["status"] != 200}
    print("PAGES:", "PASS" if not bad else f"FAIL {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
