"""Copy the latest reports (bench/results/spatial_*.txt) into README.md's results section.

    python bench/spatial/update_readme.py

Everything between the ``<!-- results -->`` and ``<!-- /results -->`` markers is replaced
by the reports that exist, in a fixed order, each as a fenced block under its own heading.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
ORDER = (
    "coverage_helsinki",
    "coverage_mid",
    "coverage_mid_on_node_q_edge",
    "coverage_mid_on_node",
    "coverage_large",
    "siting_helsinki",
    "siting_mid",
    "2sfca_helsinki",
    "2sfca_mid",
    "2sfca_large",
)
START, END = "<!-- results -->", "<!-- /results -->"


def main() -> None:
    readme = HERE / "README.md"
    text = readme.read_text()
    blocks = []
    for name in ORDER:
        path = RESULTS / f"spatial_{name}.txt"
        if path.exists():
            blocks.append(f"### `{path.name}`\n\n```text\n{path.read_text().rstrip()}\n```\n")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n\n" + "\n".join(blocks) + f"\n{END}{tail}")
    print(f"README.md: {len(blocks)} reports")


if __name__ == "__main__":
    main()
