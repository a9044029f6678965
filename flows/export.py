"""The Parquet export: build a version folder, swap the export symlink to it, prune old ones."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from oneplan.flows.db import connect
from oneplan.flows.paths import (
    EXPORT_MARKER,
    VERSIONS_MARKER,
    check_export_root,
    is_our_version,
    is_stale_staged,
    mark_export,
    mark_versions,
    versions_dir,
)
from oneplan.transforms import schema


def build_export(db_path: Path, export_dir: Path, version: str) -> Path:
    """Every published table and the oneplan view as Parquet, one folder each holding one file
    (`projects/projects.parquet`), in a new version folder beside `export_dir`.

    Not Hive-partitioned: a partition path (`district_code=1801`) makes readers infer the code as
    an integer or drop it, and the tables are small enough for one file each. The output path is
    a bound parameter, never part of the SQL text."""
    versions = versions_dir(export_dir)
    mark_versions(versions)
    target = versions / version
    building = versions / f".building-{version}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    mark_export(building)
    con = connect(db_path, read_only=True)
    try:
        for table in schema.TABLES:
            out = building / table.name
            out.mkdir()
            write_parquet(con, table, out / f"{table.name}.parquet")
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        con.close()
    os.replace(building, target)
    return target


PARQUET_BATCH_ROWS = 65_536


def write_parquet(con, table: schema.Table, path: Path) -> None:
    """One table as Parquet, streamed in record batches, each column carrying its Thai and
    English description as field metadata and the table's grain and column descriptions as
    file key-value metadata (transforms.schema.with_descriptions). The table name comes from
    the schema module, never from input."""
    import pyarrow.parquet as pq

    reader = con.sql(f"select * from {table.name}").to_arrow_reader(PARQUET_BATCH_ROWS)
    try:
        described = schema.with_descriptions(reader.schema, table)
        with pq.ParquetWriter(path, described, compression="snappy") as writer:
            for batch in reader:
                writer.write_batch(batch)
    finally:
        reader.close()


def published_version(export_dir: Path) -> Path | None:
    """The version folder the export symlink points at, when it is one of ours (in our
    versions folder, marked); else None. Only ever read from, never written."""
    export_dir = Path(os.path.abspath(export_dir))
    if not export_dir.is_symlink():
        return None
    target = Path(os.path.normpath(export_dir.parent / os.readlink(export_dir)))
    if target.parent != versions_dir(export_dir) or not is_our_version(target):
        return None
    return target


def swap_export(export_dir: Path, target: Path) -> None:
    """Point `export_dir` (a symlink) at a built version with one `os.replace`: a reader sees
    the old export or the new one, never a mix. The previous version is kept for readers
    still inside it; older versions of ours are deleted.

    Only an export root that is ours is replaced (see flows.paths); it was checked before the
    run started and is checked again here, under the run lock, before anything moves."""
    export_dir = Path(os.path.abspath(export_dir))
    check_export_root(export_dir)
    versions = target.parent
    previous = Path(os.readlink(export_dir)).name if export_dir.is_symlink() else None
    link = export_dir.with_name(f".{export_dir.name}.link-{os.getpid()}")
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(target, export_dir.parent), link)
    if export_dir.is_dir() and not export_dir.is_symlink():
        if (export_dir / EXPORT_MARKER).is_file():  # an export of ours from before versions
            os.replace(export_dir, versions / f"legacy-{target.name}")
        else:
            export_dir.rmdir()  # empty (check_export_root): fails rather than delete anything
    os.replace(link, export_dir)
    _prune_versions(versions, keep={target.name, previous})


def _prune_versions(versions: Path, keep: set[str | None]) -> None:
    """Remove export versions of ours that no reader needs any more (marker checked).

    Each is renamed aside at once, then deleted by a detached `rm -rf`: at national scale an
    export is thousands of files and deleting them is not the publish's job to wait for.
    A removal that never finished is picked up by `remove_stale_builds` on the next run.
    """
    doomed = []
    for path in versions.iterdir():
        if path.name in keep or path.name.startswith(".") or not is_our_version(path):
            continue
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
    """Delete what a killed run of ours left behind: temporary database files, half-built or
    half-deleted export versions (only inside our marked versions folder), temporary export
    links (symlinks only) and half-written staged parses. Only call while holding the run lock."""
    export_dir = Path(os.path.abspath(export_dir))
    versions = versions_dir(export_dir)
    ours_versions = (versions / VERSIONS_MARKER).is_file()
    candidates: list[Path] = []
    if db_path.parent.is_dir():
        candidates += [
            p
            for p in db_path.parent.glob(f".{db_path.name}.building-*")
            if p.is_file() and not p.is_symlink()
        ]
    if ours_versions:
        candidates += [
            p
            for pattern in (".building-*", ".trash-*")
            for p in versions.glob(pattern)
            if p.is_dir() and not p.is_symlink()
        ]
    if export_dir.parent.is_dir():
        candidates += [
            p for p in export_dir.parent.glob(f".{export_dir.name}.link-*") if p.is_symlink()
        ]
    if staging is not None and staging.is_dir():
        candidates += [p for p in staging.iterdir() if is_stale_staged(p)]
    for path in candidates:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return candidates
