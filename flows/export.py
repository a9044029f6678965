"""The Parquet export: build a version folder, swap the export symlink to it, prune old ones."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from oneplan.flows.db import connect
from oneplan.transforms import schema


def _versions_dir(export_dir: Path) -> Path:
    export_dir = Path(os.path.abspath(export_dir))
    return export_dir.parent / f".{export_dir.name}.versions"


def build_export(db_path: Path, export_dir: Path, version: str) -> Path:
    """Every published table and the oneplan view as Parquet, one folder each, in a new
    version folder beside `export_dir`; the tables with a partition column are
    Hive-partitioned by it (`projects/district_code=1801/...`)."""
    versions = _versions_dir(export_dir)
    versions.mkdir(parents=True, exist_ok=True)
    target = versions / version
    building = versions / f".building-{version}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    con = connect(db_path, read_only=True)
    try:
        for table in schema.TABLES:
            out = building / table.name
            if table.partition_by:
                con.execute(
                    f"COPY (SELECT * FROM {table.name}) TO '{out}' "
                    f"(FORMAT parquet, PARTITION_BY ({table.partition_by}))"
                )
            else:
                out.mkdir()
                con.execute(
                    f"COPY {table.name} TO '{out / (table.name + '.parquet')}' (FORMAT parquet)"
                )
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        con.close()
    os.replace(building, target)
    return target


def swap_export(export_dir: Path, target: Path) -> None:
    """Point `export_dir` (a symlink) at a built version with one `os.replace`: a reader sees
    the old export or the new one, never a mix. The previous version is kept for readers
    still inside it; older ones are deleted."""
    export_dir = Path(os.path.abspath(export_dir))
    versions = target.parent
    previous = Path(os.readlink(export_dir)).name if export_dir.is_symlink() else None
    link = export_dir.with_name(f".{export_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, export_dir.parent), link)
    if export_dir.exists() and not export_dir.is_symlink():
        # An export folder that is not ours to version: move it aside once.
        os.replace(export_dir, versions / f"legacy-{target.name}")
    os.replace(link, export_dir)
    _prune_versions(versions, keep={target.name, previous})


def _prune_versions(versions: Path, keep: set[str | None]) -> None:
    """Remove export versions no reader needs any more.

    Each is renamed aside at once, then deleted by a detached `rm -rf`: at national scale an
    export is thousands of files and deleting them is not the publish's job to wait for.
    A removal that never finished is picked up by `remove_stale_builds` on the next run.
    """
    doomed = []
    for path in versions.iterdir():
        if path.name not in keep and not path.name.startswith("."):
            trash = versions / f".trash-{path.name}"
            os.replace(path, trash)
            doomed.append(str(trash))
    if doomed:
        subprocess.Popen(
            ["rm", "-rf", "--", *doomed],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def remove_stale_builds(db_path: Path, export_dir: Path, staging: Path | None = None) -> list[Path]:
    """Delete what a killed run left behind (temporary database files and export folders).
    Only call while holding the run lock."""
    removed = []
    for pattern, parent in (
        (f".{db_path.name}.building-*", db_path.parent),
        (".building-*", _versions_dir(Path(os.path.abspath(export_dir)))),
        (".trash-*", _versions_dir(Path(os.path.abspath(export_dir)))),
        (f".{export_dir.name}.link-*", Path(os.path.abspath(export_dir)).parent),
        *([("*.tmp-*", staging)] if staging is not None else []),
    ):
        if not parent.is_dir():
            continue
        for path in parent.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
