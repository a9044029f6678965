"""Keep the README's generated parts true: the data dictionary, the run summary on the
sample, and the example queries with their output, each between markers.

    python3 tasks.py docs     # runs the sample into a temporary folder, rewrites README.md

tests/flows/test_docs.py fails when README.md differs from what this would write.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from oneplan.flows.db import connect
from oneplan.flows.reference import DEFAULT_INBOX, ROOT, SQL
from oneplan.flows.summary import run_summary, summary_text
from oneplan.transforms.schema import data_dictionary_markdown

README = ROOT / "README.md"
EXAMPLES = SQL / "examples"
CHECK_EXAMPLE = DEFAULT_INBOX / "Wat Sing" / "แผนพัฒนาตำบล_อ.วัดสิงห์.xls"
_BLOCK = re.compile(r"(<!-- (?P<name>[\w:-]+) -->\n)(?P<body>.*?)(<!-- /(?P=name) -->)", re.S)


def example_block(path: Path, db: Path) -> str:
    """One example: its SQL and the table DuckDB prints for it."""
    query = path.read_text().strip()
    con = connect(db, read_only=True)
    try:
        output = str(con.sql(query))
    finally:
        con.close()
    command = f"python3 tasks.py oneplan sql sql/examples/{path.name}"
    return f"```sql\n{query}\n```\n\n`{command}` prints:\n\n```\n{output}```\n"


def generated_sections(db: Path) -> dict[str, str]:
    """Every generated section's Markdown, by marker name, from a database built on the sample."""
    summary = summary_text(run_summary(db)).replace(str(db), "out/oneplan.duckdb")
    sections = {
        "dictionary": data_dictionary_markdown(),
        "run-summary": f"```\n{summary}\n```\n",
    }
    for path in sorted(EXAMPLES.glob("*.sql")):
        sections[f"example:{path.stem}"] = example_block(path, db)
    sections["check-example"] = check_block(CHECK_EXAMPLE)
    return sections


def check_block(path: Path) -> str:
    """`oneplan check` on one sample file, as an officer would see it."""
    from oneplan.flows.check import check_files, format_report

    report = format_report(check_files([path]), "th").rstrip("\n")
    shown = path.relative_to(ROOT).as_posix()
    return f'```\n$ python3 tasks.py oneplan check "{shown}"\n{report}\n```\n'


def render_readme(text: str, sections: dict[str, str]) -> str:
    """README text with each marked section replaced; unknown markers are an error."""

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in sections:
            raise KeyError(f"README.md has a marker <!-- {name} --> that nothing generates")
        return f"{match.group(1)}{sections[name]}{match.group(4)}"

    return _BLOCK.sub(replace, text)


def build_sample_database(out: Path) -> Path:
    """Run the pipeline (without Prefect) on the bundled sample into `out`."""
    from oneplan.flows.oneplan_flow import run_plan

    run_plan(DEFAULT_INBOX, out / "oneplan.duckdb", out / "export")
    return out / "oneplan.duckdb"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = build_sample_database(Path(tmp))
        new = render_readme(README.read_text(encoding="utf-8"), generated_sections(db))
    if new != README.read_text(encoding="utf-8"):
        README.write_text(new, encoding="utf-8")
        print("README.md updated")
    else:
        print("README.md already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
