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


def _table(rows: list[dict], staged_schema: pa.Schema) -> pa.Table:
    """Rows (dicts) as a table of this schema, built column by column (a key a row lacks is
    null), which is several times faster than `pa.Table.from_pylist`."""
    return _from_columns(
        {f.name: [row.get(f.name) for row in rows] for f in staged_schema}, staged_schema
    )


def _from_columns(columns: dict[str, list], staged_schema: pa.Schema) -> pa.Table:
    arrays = [pa.array(columns[f.name], f.type) for f in staged_schema]
    return pa.Table.from_arrays(arrays, schema=staged_schema)


def _budgets(projects: list[dict]) -> dict[str, list]:
    """One row per project and fiscal year with an amount, in year order."""
    sheets, rows, years, amounts = [], [], [], []
    for project in projects:
        sheet, row = project["source_sheet"], project["source_row"]
        for year, amount in sorted(project["budgets"].items()):
            sheets.append(sheet)
            rows.append(row)
            years.append(year)
            amounts.append(amount)
    return {"source_sheet": sheets, "source_row": rows, "fiscal_year": years, "amount_thb": amounts}


def _measures(projects: list[dict]) -> dict[str, list]:
    """One row per project, measure and fiscal year with an amount (schema.STG_MEASURES)."""
    out: dict[str, list] = {
        "source_sheet": [], "source_row": [], "fiscal_year": [], "measure": [], "amount_thb": []
    }  # fmt: skip
    for project in projects:
        for (measure, year), amount in sorted((project.get("measures") or {}).items()):
            out["source_sheet"].append(project["source_sheet"])
            out["source_row"].append(project["source_row"])
            out["fiscal_year"].append(year)
            out["measure"].append(measure)
            out["amount_thb"].append(amount)
    return out


def _row_log(result: FileResult) -> dict[str, list]:
    """The row log, each accepted line with the project it belongs to: a long-layout
    project's lines point at its first line; a year sheet's line of a project kept on
    another sheet says where it is (project_sheet/_row)."""
    current: dict[str, int] = {}
    starts = {(p["source_sheet"], p["source_row"]) for p in result.projects}
    project_row: dict[tuple[str, int], tuple[str, int] | None] = {}
    columns: dict[str, list] = {
        name: []
        for name in (
            "source_sheet",
            "source_row",
            "outcome",
            "kind",
            "project_sheet",
            "project_row",
            "n_sheet_rows",
        )
    }
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
        columns["source_sheet"].append(sheet)
        columns["source_row"].append(entry["source_row"])
        columns["outcome"].append(entry["outcome"])
        columns["kind"].append(entry["kind"])
        columns["project_sheet"].append(project_sheet)
        columns["project_row"].append(row)
        columns["n_sheet_rows"].append(entry.get("n_sheet_rows"))
    return columns


def staged_tables(result: FileResult) -> dict[str, pa.Table]:
    """The six staged tables of one file, in the order their rows were read."""
    return {
        "projects": _table(result.projects, STAGED_SCHEMAS["projects"]),
        "budgets": _from_columns(_budgets(result.projects), STAGED_SCHEMAS["budgets"]),
        "measures": _from_columns(_measures(result.projects), STAGED_SCHEMAS["measures"]),
        "rejected": _table(result.rejected, STAGED_SCHEMAS["rejected"]),
        "issues": _table(result.issues, STAGED_SCHEMAS["issues"]),
        "row_log": _from_columns(_row_log(result), STAGED_SCHEMAS["row_log"]),
    }
