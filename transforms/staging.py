"""What one parsed file leaves behind: the reader's result as the staged Arrow tables (stg_*)."""

from __future__ import annotations

import pyarrow as pa
from oneplan.transforms import schema
from oneplan.transforms.sheet import FileResult

# The Arrow schema of each kind of staged table, as one file's reader result becomes it
# (declared in transforms/schema.py as the stg_* tables, without their file columns).
STAGED_SCHEMAS: dict[str, pa.Schema] = {
    kind: schema.staged_arrow_schema(table, file_columns=False)
    for kind, table in schema.STAGED_TABLES.items()
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
        kind: pa.Table.from_pylist(rows[kind], schema=staged_schema)
        for kind, staged_schema in STAGED_SCHEMAS.items()
    }
