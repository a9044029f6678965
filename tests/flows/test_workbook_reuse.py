"""Outputs written once: content keys, the manifest, reuse from the published version (hard
links), and the process pool writing exactly what the serial path writes."""

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from oneplan.flows.export import published_version
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.paths import mark_export
from oneplan.flows.workbook import (
    CSV_NAME,
    MANIFEST_NAME,
    WORKBOOK_NAME,
    _csv_column,
    content_key,
    read_manifest,
    reuse_output,
    write_outputs,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "inbox"
CHANGED = "sankhaburi/แผนพัฒนาตำบลดอนกำ.csv"  # district 1805


def sources_of(db: Path, inbox: Path) -> dict[str, Path]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select source_file from submissions where status = 'current'")
        return {f: inbox / f for (f,) in rows.fetchall()}
    finally:
        con.close()


def cells(path: Path) -> list:
    """Every sheet's name, cells (value and type), merges and row heights: what people see."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        out.append(sorted(str(m) for m in ws.merged_cells.ranges))
        out.append({r: d.height for r, d in ws.row_dimensions.items() if d.height})
        for row in ws.iter_rows():
            out.append([(c.value, c.data_type) for c in row])
    return out


def outputs(version: Path) -> list[Path]:
    return sorted(p.relative_to(version) for p in version.rglob("*.xlsx"))


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> dict:
    """The sample published, then published again after one CSV of district 1805 changed."""
    root = tmp_path_factory.mktemp("reuse")
    inbox = root / "inbox"
    shutil.copytree(SAMPLE, inbox)
    db, export = root / "oneplan.duckdb", root / "export"
    run_plan(inbox, db, export, staging=str(root / "staging"))
    first = published_version(export)
    changed = inbox / CHANGED
    data = changed.read_bytes()
    assert data.count(b",44000,") == 1
    changed.write_bytes(data.replace(b",44000,", b",45000,"))
    run_plan(inbox, db, export, staging=str(root / "staging"))
    second = published_version(export)
    return {"root": root, "inbox": inbox, "db": db, "first": first, "second": second}


def test_one_changed_file_rewrites_its_district_and_reuses_the_others(twice):
    first, second = twice["first"], twice["second"]
    assert first != second and first.is_dir()  # the previous version is kept
    manifest = read_manifest(second)
    assert sorted(manifest) == [str(p) for p in outputs(second)]
    assert json.loads((second / MANIFEST_NAME).read_text())["format"] == "oneplan-outputs/1"

    def same_inode(rel: str) -> bool:
        return os.stat(first / rel).st_ino == os.stat(second / rel).st_ino

    rewritten = sorted(rel for rel in manifest if not same_inode(rel))
    annotated = "districts/1805/annotated/แผนพัฒนาตำบลดอนกำ (csv).xlsx"
    assert rewritten == sorted([WORKBOOK_NAME, "districts/1805/oneplan-1805.xlsx", annotated])
    # The reused ones are the same file, the rewritten pack carries the new budget.
    packs = [rel for rel in manifest if rel.startswith("districts/") and "annotated" not in rel]
    assert len(packs) == 9 and len([r for r in manifest if same_inode(r)]) == len(manifest) - 3
    old, new = cells(first / rewritten[1]), cells(second / rewritten[1])
    assert old != new
    values = {c[0] for row in new if isinstance(row, list) for c in row if isinstance(c, tuple)}
    assert 45000 in values


@pytest.fixture(scope="module")
def fresh(twice, tmp_path_factory) -> Path:
    """The outputs of the second publication written afresh, serially, with no previous
    version (one write shared by the tests that compare against it)."""
    out = tmp_path_factory.mktemp("fresh")
    sources = sources_of(twice["db"], twice["inbox"])
    result = write_outputs(twice["db"], out, sources, workers=1)
    assert result["reused"] == []
    return out


def test_reused_outputs_equal_what_a_fresh_write_gives(twice, fresh):
    second = twice["second"]
    assert outputs(fresh) == outputs(second)
    assert read_manifest(second) == json.loads((fresh / MANIFEST_NAME).read_text())["files"]
    for rel in outputs(fresh):
        assert cells(fresh / rel) == cells(second / rel), rel
    assert (fresh / CSV_NAME).read_bytes() == (second / CSV_NAME).read_bytes()


def test_pool_writes_the_same_cells_as_the_serial_path(twice, fresh, tmp_path):
    sources = sources_of(twice["db"], twice["inbox"])
    serial, pooled = fresh, tmp_path / "pooled"
    pooled.mkdir()
    result = write_outputs(twice["db"], pooled, sources, workers=2, pool_min_rows=0)
    assert len(result["written"]) == len(outputs(serial))
    assert outputs(serial) == outputs(pooled)
    for rel in outputs(serial):
        assert cells(serial / rel) == cells(pooled / rel), rel
    # The same content keys; the files' hashes differ (a workbook records when it was made).
    serial_manifest = json.loads((serial / MANIFEST_NAME).read_text())
    pooled_manifest = json.loads((pooled / MANIFEST_NAME).read_text())
    assert serial_manifest["files"] == pooled_manifest["files"]
    assert sorted(serial_manifest["sha256"]) == sorted(pooled_manifest["sha256"])


def plant(db: Path, copy: Path, sql: str) -> Path:
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(sql)
    finally:
        con.close()
    return copy


def test_a_changed_issue_or_budget_is_not_reused(twice, tmp_path):
    """Plant one more word in one issue's value, then one baht in one budget: exactly the outputs
    that show them are written again; everything else is taken from the previous version."""
    db, sources = twice["db"], sources_of(twice["db"], twice["inbox"])
    v1 = tmp_path / "v1"
    v1.mkdir()
    mark_export(v1)
    write_outputs(db, v1, sources, workers=1)
    source = "Wat Sing/แผนพัฒนาตำบล_อ.วัดสิงห์.xls"
    issue_db = plant(
        db,
        tmp_path / "issue.duckdb",
        "update data_issues set raw_value = coalesce(raw_value, '') || ' (แก้)' "
        f"where source_file = "
        f"'{source}' and source_row = (select min(source_row) from data_issues "
        f"where source_file = '{source}')",
    )
    v2 = tmp_path / "v2"
    v2.mkdir()
    result = write_outputs(issue_db, v2, sources, previous=v1, workers=1)
    assert result["written"] == ["districts/1803/annotated/แผนพัฒนาตำบล_อ.วัดสิงห์ (xls).xlsx"]
    issues = openpyxl.load_workbook(v2 / result["written"][0])["ปัญหาที่พบ"]
    assert any("(แก้)" in str(c.value) for row in issues.iter_rows() for c in row)
    assert os.stat(v2 / WORKBOOK_NAME).st_ino == os.stat(v1 / WORKBOOK_NAME).st_ino

    budget_db = plant(
        db,
        tmp_path / "budget.duckdb",
        "update project_budgets set amount_thb = amount_thb + 1 where project_id = "
        "(select min(project_id) from projects where district_code = '1808')",
    )
    v3 = tmp_path / "v3"
    v3.mkdir()
    result = write_outputs(budget_db, v3, sources, previous=v1, workers=1)
    assert sorted(result["written"]) == ["districts/1808/oneplan-1808.xlsx", WORKBOOK_NAME]


def test_nothing_is_taken_from_a_folder_or_file_that_is_not_ours(twice, fresh, tmp_path):
    db, sources = twice["db"], sources_of(twice["db"], twice["inbox"])
    v1 = tmp_path / "v1"
    shutil.copytree(fresh, v1)  # what write_outputs writes into a folder with no marker
    assert read_manifest(v1) == {}  # no export marker: not a version of ours
    v2 = tmp_path / "v2"
    v2.mkdir()
    assert write_outputs(db, v2, sources, previous=v1, workers=1)["reused"] == []
    mark_export(v1)
    # A link planted where an output was: written anew, never followed.
    elsewhere = tmp_path / "elsewhere.xlsx"
    elsewhere.write_bytes(b"not ours")
    (v1 / WORKBOOK_NAME).unlink()
    (v1 / WORKBOOK_NAME).symlink_to(elsewhere)
    v3 = tmp_path / "v3"
    v3.mkdir()
    result = write_outputs(db, v3, sources, previous=v1, workers=1)
    assert WORKBOOK_NAME in result["written"] and len(result["written"]) == 1
    assert not (v3 / WORKBOOK_NAME).is_symlink() and elsewhere.read_bytes() == b"not ours"
    # A manifest that is not ours (or not a manifest) counts as none.
    for text in ("[]", '{"files": {}}', "not json"):
        (v1 / MANIFEST_NAME).write_text(text)
        assert read_manifest(v1) == {}
    assert not reuse_output(tmp_path / "missing.xlsx", tmp_path / "x.xlsx")


def test_csv_cells_are_computed_once_per_distinct_value_of_each_type():
    values = [True, 1, Decimal("1.00"), None, ["3", "4"], ["3", "4"], "=1+2", "=1+2", 1.5]
    assert _csv_column(values) == ["True", "1", "1.00", "", "3,4", "3,4", "'=1+2", "'=1+2", "1.5"]


def test_content_key_tells_values_apart():
    assert content_key([1, "a"]) == content_key([1, "a"])
    assert content_key([1, "a"]) != content_key(["1", "a"])
    assert content_key(Decimal("1.00")) != content_key(Decimal("1.0"))
    assert content_key(None) != content_key("None")


# -- issue 22 item 3: reuse never follows a link and never takes an edited output -------------
def test_reuse_never_follows_a_linked_district_folder_of_the_published_version(twice, tmp_path):
    db, sources = twice["db"], sources_of(twice["db"], twice["inbox"])
    v1 = tmp_path / "v1"
    v1.mkdir()
    mark_export(v1)
    write_outputs(db, v1, sources, workers=1)
    outside = tmp_path / "outside"
    shutil.copytree(v1 / "districts" / "1805", outside)  # the same bytes, elsewhere
    shutil.rmtree(v1 / "districts" / "1805")
    (v1 / "districts" / "1805").symlink_to(outside)
    v2 = tmp_path / "v2"
    v2.mkdir()
    result = write_outputs(db, v2, sources, previous=v1, workers=1)
    from_1805 = sorted(r for r in result["written"] if r.startswith("districts/1805/"))
    assert from_1805 == sorted(
        str(p.relative_to(v2)) for p in (v2 / "districts" / "1805").rglob("*.xlsx")
    )
    files_1805 = [p for p in sources if p.startswith("sankhaburi/")]  # what 1805 sent
    assert len(files_1805) == 10
    assert len(from_1805) == 1 + len(files_1805)  # its workbook and an annotated copy a file
    outside_inodes = {os.stat(p).st_ino for p in outside.rglob("*.xlsx")}
    assert not outside_inodes & {os.stat(p).st_ino for p in v2.rglob("*.xlsx")}
    assert not (v2 / "districts" / "1805").is_symlink()


def test_a_hand_edited_published_workbook_is_not_carried_into_the_next_version(twice, tmp_path):
    db, sources = twice["db"], sources_of(twice["db"], twice["inbox"])
    v1 = tmp_path / "v1"
    v1.mkdir()
    mark_export(v1)
    write_outputs(db, v1, sources, workers=1)
    edited = v1 / "districts" / "1801" / "oneplan-1801.xlsx"
    wb = openpyxl.load_workbook(edited)
    wb.worksheets[0]["A1"] = "แก้ด้วยมือ: งบ x10"
    wb.save(edited)
    v2 = tmp_path / "v2"
    v2.mkdir()
    result = write_outputs(db, v2, sources, previous=v1, workers=1)
    assert result["written"] == ["districts/1801/oneplan-1801.xlsx"]
    fresh = openpyxl.load_workbook(v2 / "districts" / "1801" / "oneplan-1801.xlsx")
    assert fresh.worksheets[0]["A1"].value != "แก้ด้วยมือ: งบ x10"
    # everything else is still taken from v1, each checked against v1's manifest
    assert os.stat(v2 / WORKBOOK_NAME).st_ino == os.stat(v1 / WORKBOOK_NAME).st_ino
    manifest = json.loads((v2 / MANIFEST_NAME).read_text())
    assert sorted(manifest["sha256"]) == sorted(manifest["files"]) == [str(p) for p in outputs(v2)]
