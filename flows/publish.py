"""Publish atomically: build the database and its export aside, then swap both in."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
from oneplan.flows.db import write_database
from oneplan.flows.errors import fault_point
from oneplan.flows.export import build_export, swap_export
from oneplan.flows.report import write_quality_report
from oneplan.flows.workbook import write_outputs

QUALITY_FOLDER = "quality"  # quality_report.md / .html inside each export version


def publish(
    tables: dict[str, pa.Table],
    db_path: Path,
    export_dir: Path,
    version: str,
    sources: dict[str, Path] | None = None,
) -> None:
    """Build the new database and its Parquet export aside, then swap both in.

    The export carries the quality report (Markdown and HTML) of the same data, the One Plan
    workbook and CSV, and a pack per district (`flows/workbook.py`; the annotated copies need
    `sources`, each current file's path in the inbox by its source_file). Until the
    swap the published database and export are untouched, so a run killed at any point
    leaves the previous publication whole; the swap itself is two renames.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        write_database(tmp, tables)
        fault_point("db_built")
        target = build_export(tmp, export_dir, version)
        write_quality_report(tmp, target / QUALITY_FOLDER, published_as=db_path)
        write_outputs(tmp, target, sources, published_as=db_path)
        fault_point("export_built")
        os.replace(tmp, db_path)
        swap_export(export_dir, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
