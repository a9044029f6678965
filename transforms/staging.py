"""What one parsed file leaves behind, as Arrow tables with fixed schemas (staged as Parquet)."""

from __future__ import annotations

import pyarrow as pa
from oneplan.transforms.issues import ISSUE_FIELDS
from oneplan.transforms.sheet import TEXT_COLUMNS, FileResult

_TEXT = pa.string()
_ROW = pa.int32()

STAGED_SCHEMAS: dict[str, pa.Schema] = {
    "projects": pa.schema(
        [
            ("source_sheet", _TEXT),
            ("source_row", _ROW),
            ("tambon_code", _TEXT),
            ("village_numbers", pa.list_(pa.int32())),
            ("project_name", _TEXT),
            ("category", _TEXT),
            *[(name, _TEXT) for name in TEXT_COLUMNS],
            ("funding_route", _TEXT),
            ("strategy_text", _TEXT),
            ("section_text", _TEXT),
            ("funding_source_text", _TEXT),
            ("n_lines", _ROW),
        ]
    ),
    "budgets": pa.schema(
        [
            ("source_sheet", _TEXT),
            ("source_row", _ROW),
            ("fiscal_year", _ROW),
            ("amount_thb", pa.decimal128(15, 2)),
        ]
    ),
    "rejected": pa.schema(
        [
            ("source_sheet", _TEXT),
            ("source_row", _ROW),
            ("reasons", pa.list_(_TEXT)),
            ("raw", _TEXT),
        ]
    ),
    "issues": pa.schema([(name, _ROW if name == "source_row" else _TEXT) for name in ISSUE_FIELDS]),
    "row_log": pa.schema(
        [
            ("source_sheet", _TEXT),
            ("source_row", _ROW),
            ("outcome", _TEXT),
            ("kind", _TEXT),
            ("project_sheet", _TEXT),
            ("project_row", _ROW),
        ]
    ),
}


def staged_tables(result: FileResult) -> dict[str, pa.Table]:
    """The five staged tables of one file, in the order their rows were read."""
    projects, budgets, project_row = [], [], {}
    for project in result.projects:
        projects.append({k: project.get(k) for k in STAGED_SCHEMAS["projects"].names})
        for year, amount in sorted(project["budgets"].items()):
            budgets.append(
                {
                    "source_sheet": project["source_sheet"],
                    "source_row": project["source_row"],
                    "fiscal_year": year,
                    "amount_thb": amount,
                }
            )
    # Accepted lines of a long-layout project point at the project's first line; a year
    # sheet's line of a project kept on another sheet says where it is (project_sheet/_row).
    current: dict[str, int] = {}
    starts = {(p["source_sheet"], p["source_row"]) for p in result.projects}
    log = []
    for entry in result.row_log:
        sheet = entry["source_sheet"]
        key = (sheet, entry["source_row"])
        if entry["outcome"] == "accepted":
            if "project_row" in entry:
                project_row[key] = (entry["project_sheet"], entry["project_row"])
            else:
                if key in starts:
                    current[sheet] = entry["source_row"]
                row = current.get(sheet)
                project_row[key] = None if row is None else (sheet, row)
        project_sheet, row = project_row.get(key) or (None, None)
        log.append(
            {
                "source_sheet": sheet,
                "source_row": entry["source_row"],
                "outcome": entry["outcome"],
                "kind": entry["kind"],
                "project_sheet": project_sheet,
                "project_row": row,
            }
        )
    rows = {
        "projects": projects,
        "budgets": budgets,
        "rejected": result.rejected,
        "issues": result.issues,
        "row_log": log,
    }
    return {
        name: pa.Table.from_pylist(rows[name], schema=schema)
        for name, schema in STAGED_SCHEMAS.items()
    }
