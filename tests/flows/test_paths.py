"""Paths are checked before anything is written: a run refuses, with one line and nothing moved or
deleted, any inbox/db/staging/export that overlap or an export root that is not ours (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oneplan.flows.cli import main
from oneplan.flows.errors import PublishError
from oneplan.flows.export import remove_stale_builds
from oneplan.flows.lock import run_lock
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.paths import EXPORT_MARKER, check_run_paths, versions_dir

from tests.flows.test_publish import ROOT, write_inbox


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: what must survive a refused run."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    write_inbox(folder)
    return folder


def total(db: Path) -> Decimal:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select sum(amount_thb) from project_budgets").fetchone()[0]
    finally:
        con.close()


def test_export_over_the_inbox_is_refused_and_the_inbox_kept(inbox, tmp_path):
    before = tree(inbox)
    with pytest.raises(PublishError, match="overlap"):
        run_plan(inbox, tmp_path / "db.duckdb", inbox)
    assert tree(inbox) == before
    assert not (tmp_path / "db.duckdb").exists()


def test_export_inside_the_inbox_or_the_inbox_inside_the_export_is_refused(inbox, tmp_path):
    with pytest.raises(PublishError, match="overlap"):
        run_plan(inbox, tmp_path / "db.duckdb", inbox / "1804" / "export")
    nested = tmp_path / "a" / "inbox"
    write_inbox(nested)
    with pytest.raises(PublishError, match="overlap"):  # the inbox's parent, spelt oddly
        run_plan(nested, tmp_path / "b" / "db.duckdb", tmp_path / "a" / "x" / "..")
    assert tree(nested) == tree(inbox)
    assert (inbox / "1804" / "plan.csv").is_file()


def test_export_over_the_databases_folder_is_refused(inbox, tmp_path):
    out = tmp_path / "out"
    run_plan(inbox, out / "plan.duckdb", out / "export")
    before = {p.name for p in out.iterdir()}
    with pytest.raises(PublishError, match="must not be inside the export"):
        run_plan(inbox, out / "plan.duckdb", out)
    assert {p.name for p in out.iterdir()} == before
    assert total(out / "plan.duckdb") == Decimal("171100.50")


def test_staging_over_the_inbox_is_refused(inbox, tmp_path):
    before = tree(inbox)
    with pytest.raises(PublishError, match="overlap"):
        run_plan(inbox, tmp_path / "db.duckdb", tmp_path / "export", staging=str(inbox))
    assert tree(inbox) == before


def test_a_folder_given_as_the_database_is_refused(inbox, tmp_path):
    with pytest.raises(PublishError, match="is a folder"):
        run_plan(inbox, tmp_path, tmp_path / "export")


def test_an_export_folder_of_someone_elses_notes_is_refused_untouched(inbox, tmp_path):
    notes = tmp_path / "export"
    notes.mkdir()
    (notes / "minutes.txt").write_text("ก.บ.จ. meeting notes")
    with pytest.raises(PublishError, match="oneplan did not make"):
        run_plan(inbox, tmp_path / "db.duckdb", notes)
    assert tree(notes) == {"minutes.txt": "ก.บ.จ. meeting notes".encode()}
    assert not versions_dir(notes).exists()


def test_an_export_symlink_replaced_by_a_folder_of_notes_is_refused(inbox, tmp_path):
    db, export = tmp_path / "db.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    export.unlink()
    export.mkdir()
    (export / "minutes.txt").write_text("keep me")
    write_inbox(inbox, taluk_budget="1")  # a change, so the run would publish
    with pytest.raises(PublishError, match="oneplan did not make"):
        run_plan(inbox, db, export)
    assert tree(export) == {"minutes.txt": b"keep me"}
    assert not list(versions_dir(export).glob("legacy-*"))


def test_an_export_symlink_pointing_elsewhere_is_refused(inbox, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data.txt").write_text("x")
    export = tmp_path / "export"
    export.symlink_to(elsewhere)
    with pytest.raises(PublishError, match="symlink"):
        run_plan(inbox, tmp_path / "db.duckdb", export)
    assert export.is_symlink() and os.readlink(export) == str(elsewhere)
    assert tree(elsewhere) == {"data.txt": b"x"}


def test_an_empty_export_folder_is_taken(inbox, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    run_plan(inbox, tmp_path / "db.duckdb", export)
    assert export.is_symlink()
    assert (export / EXPORT_MARKER).is_file()


def test_pruning_deletes_only_versions_we_made(inbox, tmp_path):
    db, export = tmp_path / "db.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    foreign = versions_dir(export) / "20990101T000000000000Z"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    for budget in ("1", "2", "3"):
        write_inbox(inbox, taluk_budget=budget)
        run_plan(inbox, db, export)
    assert tree(foreign) == {"keep.txt": b"not ours"}
    ours = [p for p in versions_dir(export).iterdir() if (p / EXPORT_MARKER).is_file()]
    assert len(ours) <= 3  # the current, the previous, and at most one still being deleted


def test_cleanup_removes_only_leftovers_of_ours(tmp_path):
    db, export, staging = tmp_path / "db.duckdb", tmp_path / "export", tmp_path / "staging"
    versions = versions_dir(export)
    versions.mkdir()
    (versions / ".building-x").mkdir()  # no versions marker: not known to be ours
    not_a_link = tmp_path / ".export.link-1"
    not_a_link.write_text("a file, not our symlink")
    staging.mkdir()
    (staging / "notes.tmp-1").write_text("x")
    assert remove_stale_builds(db, export, staging) == []
    assert (versions / ".building-x").is_dir() and not_a_link.is_file()
    assert (staging / "notes.tmp-1").is_file()


def test_staging_holding_foreign_files_is_refused(inbox, tmp_path):
    staging = tmp_path / "mine"
    staging.mkdir()
    (staging / "thesis.docx").write_text("x")
    with pytest.raises(PublishError, match="thesis.docx"):
        run_plan(inbox, tmp_path / "db.duckdb", tmp_path / "export", staging=str(staging))
    assert tree(staging) == {"thesis.docx": b"x"}


def test_a_quote_in_the_export_path_publishes(inbox, tmp_path):
    export = tmp_path / "it's here'; select 1; --" / "export"
    run_plan(inbox, tmp_path / "db.duckdb", export)
    con = duckdb.connect()
    got = con.execute(
        "select sum(amount_thb) from read_parquet(?)",
        [str(export / "project_budgets" / "*.parquet")],
    ).fetchone()[0]
    con.close()
    assert got == Decimal("171100.50")


def test_two_runs_sharing_an_export_cannot_run_at_once(inbox, tmp_path):
    export = tmp_path / "shared-export"
    with run_lock(tmp_path / "a.duckdb", tmp_path / "staging-a", export):
        second = subprocess.run(
            [
                sys.executable,
                "-c",
                "from oneplan.flows.oneplan_flow import run_plan; import sys; "
                "run_plan(sys.argv[1], sys.argv[2], sys.argv[3])",
                str(inbox),
                str(tmp_path / "b" / "b.duckdb"),
                str(export),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode == 1
    assert "another oneplan run (pid" in second.stderr
    assert str(export) in second.stderr
    assert not (tmp_path / "b" / "b.duckdb").exists()


def test_check_run_paths_resolves_and_accepts_separate_places(inbox, tmp_path):
    paths = check_run_paths(inbox, tmp_path / "out" / "x.duckdb", tmp_path / "out" / "export")
    assert paths.staging == (tmp_path / "out" / "staging").resolve()
    assert paths.db == (tmp_path / "out").resolve() / "x.duckdb"


@pytest.fixture
def published_db(inbox, tmp_path):
    db = tmp_path / "db.duckdb"
    run_plan(inbox, db, tmp_path / "export")
    return db


@pytest.mark.parametrize(
    "query",
    [
        "copy project_budgets to '{target}'",
        "copy project_budgets to '{db}'",
        "attach '{target}' as other",
        "select * from read_csv('{secret}')",
        "set enable_external_access = true",
    ],
)
def test_oneplan_sql_cannot_write_attach_or_read_files(published_db, tmp_path, capsys, query):
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    target = tmp_path / "written.duckdb"
    before = published_db.read_bytes()
    sql = query.format(target=target, db=published_db, secret=secret)
    assert main(["sql", sql, "--db", str(published_db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("oneplan sql: ") and len(err.strip().splitlines()) == 1
    assert not target.exists()
    assert published_db.read_bytes() == before
    assert "hunter2" not in err


def test_oneplan_sql_still_answers_queries(published_db, capsys):
    assert main(["sql", "select count(*) as n from projects", "--db", str(published_db)]) == 0
    assert "4" in capsys.readouterr().out


# -- issue 22 item 7: nothing we did not create is replaced -----------------------------------
def test_a_db_that_is_not_a_duckdb_file_is_refused_and_kept(inbox, tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("บันทึกการประชุม ก.บ.จ.", encoding="utf-8")
    with pytest.raises(PublishError, match="is not a DuckDB database; it is kept"):
        run_plan(inbox, notes, tmp_path / "export")
    assert notes.read_text(encoding="utf-8") == "บันทึกการประชุม ก.บ.จ."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox", "notes.txt"]
    code = main(["run", "--inbox", str(inbox), "--db", str(notes), "--export", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"oneplan run: --db {notes} exists and is not a DuckDB database; it is kept: move it "
        "away or choose another --db\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox", "notes.txt"]


def test_a_damaged_database_we_published_is_still_ours_to_rebuild(inbox, tmp_path):
    """The runs log beside it says we published there: moved aside and rebuilt (flows.recover)."""
    from oneplan.flows.runs import record_run

    db = tmp_path / "out" / "p.duckdb"
    run_plan(inbox, db, tmp_path / "out" / "export")
    record_run(db, "published", None)
    db.write_bytes(b"torn " * 100)
    run_plan(inbox, db, tmp_path / "out" / "export")
    [moved] = [p for p in db.parent.iterdir() if ".corrupt-" in p.name]
    assert moved.read_bytes() == b"torn " * 100
    assert total(db) == Decimal("171100.50")


def test_paths_inside_the_published_version_are_refused(inbox, tmp_path):
    db, export = tmp_path / "out" / "p.duckdb", tmp_path / "out" / "export"
    run_plan(inbox, db, export)
    version = export.resolve()
    before = tree(version)
    for args in (
        (inbox, db, export / "new"),
        (inbox, export / "p.duckdb", tmp_path / "out" / "e2"),
        (inbox, tmp_path / "db2.duckdb", tmp_path / "e3", export / "staging"),
    ):
        with pytest.raises(PublishError, match="lies inside the published export"):
            run_plan(*args)
    assert tree(version) == before
    assert not (tmp_path / "out" / "e2").exists() and not (tmp_path / "e3").exists()


def test_a_half_swapped_publication_is_repaired_by_the_next_run(inbox, tmp_path, monkeypatch):
    """Killed between the database rename and the export swap: the database is new, the
    export still the old version; the next run must not call that "unchanged"."""
    from oneplan.flows import publish

    db, export = tmp_path / "out" / "p.duckdb", tmp_path / "out" / "export"
    run_plan(inbox, db, export)
    write_inbox(inbox, taluk_budget="999,000")

    def killed(*args):
        raise KeyboardInterrupt("killed between the renames")

    monkeypatch.setattr(publish, "swap_export", killed)
    with pytest.raises(KeyboardInterrupt):
        run_plan(inbox, db, export)
    monkeypatch.undo()
    assert total(db) == Decimal("1020100.50")
    parquet = export / "project_budgets" / "project_budgets.parquet"

    def exported() -> Decimal:
        con = duckdb.connect()
        try:
            return con.execute(
                "select sum(amount_thb) from read_parquet(?)", [str(parquet)]
            ).fetchone()[0]
        finally:
            con.close()

    assert exported() == Decimal("171100.50")  # half-swapped
    summary = run_plan(inbox, db, export)
    assert summary["unchanged"] is False
    assert exported() == total(db) == Decimal("1020100.50")
    assert run_plan(inbox, db, export)["unchanged"] is True
