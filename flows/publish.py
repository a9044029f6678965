"""Publish atomically, in four steps: build the new database aside, check it, export it aside
(Parquet and the quality report), then swap both in.

Until the swap the published database and export are untouched, so a run killed at any point
leaves the previous publication whole; the swap itself is two renames.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
from oneplan.flows.db import build_database, check_database
from oneplan.flows.errors import fault_point
from oneplan.flows.export import build_export, published_version, swap_export
from oneplan.flows.report import write_quality_report
from oneplan.flows.workbook import CSV_NAME, DISTRICTS_FOLDER, WORKBOOK_NAME, write_outputs

QUALITY_FOLDER = "quality"  # quality_report.md / .html inside each export version


def published_outputs(db_path: Path, export_dir: Path) -> dict[str, str]:
    """Everything a person opens after a run, by what it is, at the paths they know (the
    export folder, never the version folder it points at)."""
    return {
        "database": str(db_path),
        "parquet": str(export_dir / "*.parquet"),
        "quality_report": str(export_dir / QUALITY_FOLDER / "quality_report.html"),
        "workbook": str(export_dir / WORKBOOK_NAME),
        "csv": str(export_dir / CSV_NAME),
        "district_packs": str(export_dir / DISTRICTS_FOLDER) + os.sep,
    }


def building_path(db_path: Path) -> Path:
    """Where this process builds the database that will replace `db_path`."""
    return db_path.with_name(f".{db_path.name}.building-{os.getpid()}")


def discard(built: Path) -> None:
    """Remove a database built aside (and its WAL) that will not be published."""
    for path in (built, built.with_name(built.name + ".wal")):
        path.unlink(missing_ok=True)


def build(tables: dict[str, pa.Table], db_path: Path) -> Path:
    """The new database, built beside the published one; returns its path."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    built = building_path(db_path)
    discard(built)
    build_database(built, tables)
    return built


def check(built: Path) -> None:
    """The data checks of sql/checks; any offending row refuses the publication."""
    check_database(built)
    fault_point("db_built")


def export(
    built: Path,
    db_path: Path,
    export_dir: Path,
    version: str,
    sources: dict[str, Path] | None = None,
) -> Path:
    """The Parquet export, the quality report (Markdown and HTML), the One Plan workbook and
    CSV, and a pack per district (`flows/workbook.py`; the annotated copies need `sources`,
    each current file's path in the inbox by its source_file) of the new database, in a new
    version folder beside the export; returns that folder. Workbooks and annotated copies
    whose inputs did not change are taken from the published version (hard links)."""
    previous = published_version(export_dir)
    target = build_export(built, export_dir, version)
    write_quality_report(built, target / QUALITY_FOLDER, published_as=db_path)
    write_outputs(built, target, sources, published_as=db_path, previous=previous)
    fault_point("export_built")
    return target


def swap(built: Path, db_path: Path, export_dir: Path, target: Path) -> None:
    """Publish: the new database over the old one, then the export link to the new version."""
    os.replace(built, db_path)
    swap_export(export_dir, target)
