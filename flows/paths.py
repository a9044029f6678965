"""Where a run may write: the inbox, database, staging and export paths, checked before anything
is written, and the marker files that say which folders are ours to replace or delete.

A run only ever deletes or replaces what it made itself. The export root is ours when it does not
exist, is an empty folder, is a symlink into our versions folder, or carries our marker; a version
folder is ours to prune when it carries the marker; the staging folder is ours when it carries its
marker or holds nothing but staged parses. Anything else is refused with a one-line reason and
nothing is moved or deleted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from oneplan.flows.errors import PublishError

EXPORT_MARKER = ".oneplan-export"  # in every export version folder we build
VERSIONS_MARKER = ".oneplan-versions"  # in the hidden folder holding the export versions
STAGING_MARKER = ".oneplan-staging"  # in the staging folder
_STAGED_ENTRY = re.compile(r"^[0-9a-f]{32}(\.tmp-\d+)?$")  # flows.stage.stage_key (+ temp)


@dataclass(frozen=True)
class RunPaths:
    """The four places a run touches, absolute; `export` is not resolved (it is our symlink)."""

    inbox: Path
    db: Path
    export: Path
    staging: Path

    @property
    def versions(self) -> Path:
        return versions_dir(self.export)


def versions_dir(export: Path) -> Path:
    """The hidden folder beside the export root that holds the export versions."""
    export = Path(os.path.abspath(export))
    return export.parent / f".{export.name}.versions"


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_run_paths(inbox, db, export, staging=None) -> RunPaths:
    """Check the run's paths before anything is written; raise PublishError with one line.

    The inbox, database, staging and export must be distinct and must not contain one another
    (an export over the inbox or the database's folder would replace it), the database must be
    a file, and the export and staging folders must be ours to write."""
    inbox = _real(Path(inbox))
    db = Path(db)
    if db.is_dir():
        raise PublishError(f"--db {db} is a folder; give the path of the database file")
    db = _real(db.parent) / db.name
    check_database_file(db)
    export = Path(os.path.abspath(export))
    staging = _real(Path(staging)) if staging else db.parent / "staging"
    if not inbox.is_dir():
        raise PublishError(f"inbox {inbox} does not exist or is not a folder")
    folders = {
        "inbox": inbox,
        "staging": staging,
        "export": export,
        "export (resolved)": _real(export),
        "export versions": versions_dir(export),
    }
    for name, folder in folders.items():
        if _inside(db, folder):
            raise PublishError(f"the database {db} must not be inside the {name} folder {folder}")
    names = list(folders)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if {a, b} <= {"export", "export (resolved)", "export versions"}:
                continue
            pa_, pb = folders[a], folders[b]
            if _inside(pa_, pb) or _inside(pb, pa_):
                raise PublishError(
                    f"the {a} folder {pa_} and the {b} folder {pb} overlap; "
                    "inbox, database, staging and export must be separate places"
                )
    for name, path in (("inbox", inbox), ("database", db), ("staging", staging)):
        check_outside_published(name, path)
    check_outside_published("export", export.parent, export)
    check_export_root(export)
    check_staging(staging)
    return RunPaths(inbox=inbox, db=db, export=export, staging=staging)


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
DUCKDB_MAGIC_AT = 8


def is_duckdb_file(path: Path) -> bool:
    """True when `path` starts like a DuckDB database file (the magic bytes of its header)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(DUCKDB_MAGIC_AT + len(DUCKDB_MAGIC))
    except OSError:
        return False
    return head[DUCKDB_MAGIC_AT:] == DUCKDB_MAGIC


def published_here(db: Path) -> bool:
    """True when the runs log beside `db` says a run of ours published a database there."""
    from oneplan.flows.runs import read_runs

    return any(run.get("status") == "published" for run in read_runs(db, limit=1000))


def check_database_file(db: Path) -> None:
    """Refuse a database path that holds a file we did not make: an existing file must be a
    DuckDB database, or one we published there (a damaged one is then moved aside and
    rebuilt, see flows.recover). Anything else (notes, a spreadsheet, a link to a device)
    is someone else's and is never renamed or replaced."""
    if not os.path.lexists(db):
        return
    if db.is_symlink() or not db.is_file():
        raise PublishError(
            f"--db {db} is not a regular file; give the path of a DuckDB database file"
        )
    if is_duckdb_file(db) or published_here(db):
        return
    raise PublishError(
        f"--db {db} exists and is not a DuckDB database; it is kept: move it away or choose "
        "another --db"
    )


def _published_folder(path: Path) -> Path | None:
    """The export version (or versions folder) of ours that `path` lies in, if any: the
    folder carrying our marker among `path`'s existing ancestors (links resolved)."""
    real = _real(path)
    for folder in (real, *real.parents):
        if (folder / EXPORT_MARKER).is_file() or (folder / VERSIONS_MARKER).is_file():
            return folder
    return None


def check_outside_published(name: str, path: Path, shown: Path | None = None) -> None:
    """Refuse a path inside a published export version (or our versions folder): what is
    published is read by people as it is and is never written into (`export=<export>/new`
    would write inside the version the export points at)."""
    folder = _published_folder(path)
    if folder is not None:
        raise PublishError(
            f"the {name} {shown or path} lies inside the published export {folder}; "
            "published versions are never written into: choose a path outside it"
        )


def is_our_version(path: Path) -> bool:
    """A folder in the versions folder that we built (it carries the export marker)."""
    return path.is_dir() and not path.is_symlink() and (path / EXPORT_MARKER).is_file()


def check_export_root(export: Path) -> None:
    """Refuse an export root that is not ours to replace."""
    export = Path(os.path.abspath(export))
    if export.is_symlink():
        target = Path(os.path.join(export.parent, os.readlink(export)))
        target = Path(os.path.normpath(target))
        if target.parent != versions_dir(export):
            raise PublishError(
                f"export {export} is a symlink to {target}, which oneplan did not make; "
                "move it away or choose another --export"
            )
        return
    if not export.exists():
        return
    if not export.is_dir():
        raise PublishError(
            f"export {export} is a file, not an export folder; choose another --export"
        )
    if (export / EXPORT_MARKER).is_file() or not any(export.iterdir()):
        return
    raise PublishError(
        f"export {export} is a folder oneplan did not make (no {EXPORT_MARKER}); "
        "move it away or choose another --export"
    )


def check_staging(staging: Path) -> None:
    """Refuse a staging folder holding files that are not staged parses of ours."""
    if not staging.exists():
        return
    if not staging.is_dir():
        raise PublishError(f"staging {staging} is a file, not a folder; choose another --staging")
    if (staging / STAGING_MARKER).is_file():
        return
    foreign = [p.name for p in staging.iterdir() if not _STAGED_ENTRY.match(p.name)]
    if foreign:
        raise PublishError(
            f"staging {staging} holds {foreign[0]!r}, which oneplan did not make; "
            "choose another --staging"
        )


def is_stale_staged(path: Path) -> bool:
    """A half-written staged parse (`<key>.tmp-<pid>`) of ours in the staging folder."""
    match = _STAGED_ENTRY.match(path.name)
    return bool(match and match.group(1)) and path.is_dir() and not path.is_symlink()


def mark_staging(staging: Path) -> None:
    staging.mkdir(parents=True, exist_ok=True)
    marker = staging / STAGING_MARKER
    if not marker.exists():
        marker.write_text("staged parses written by oneplan; safe for oneplan to manage\n")


def mark_versions(versions: Path) -> None:
    versions.mkdir(parents=True, exist_ok=True)
    marker = versions / VERSIONS_MARKER
    if not marker.exists():
        marker.write_text("export versions written by oneplan\n")


def mark_export(folder: Path) -> None:
    (folder / EXPORT_MARKER).write_text("an export version written by oneplan\n")
