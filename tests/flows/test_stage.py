"""Staging (issue 16, part 2): each parsed file leaves one Arrow IPC file holding all its
table kinds, written once and read back for all files at once; a folder staged in another
format is parsed again, never misread."""

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from oneplan.flows import stage
from oneplan.flows.reference import rules_fingerprint
from oneplan.flows.stage import (
    STAGED_TABLES_FILE,
    discover_inbox,
    parse_to_tables,
    read_staged_tables,
    stage_file,
    staged_already,
    write_staged_tables,
)
from oneplan.flows.steps import read_staged
from oneplan.transforms import schema

DISTRICT = "1804"
PLAN = (
    "ที่,โครงการ,ตำบล,2568,2569\n"
    "1,ก่อสร้างถนน คสล. หมู่ที่ 3,ตลุก,123456,\n"
    '2,ขุดลอกคลอง,ตลุก,"1,000.50",-\n'
    "3,ซ่อมฝาย,ไม่มีตำบลนี้,5000,\n"
)
OTHER = "ที่,โครงการ,ตำบล,2568\n1,ปลูกป่า,ตลุก,7000\n"


def inbox_with(tmp_path: Path, files: dict[str, str]) -> Path:
    inbox = tmp_path / "inbox"
    for name, text in files.items():
        path = inbox / DISTRICT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return inbox


def test_staged_tables_round_trip_exactly_in_one_file(tmp_path):
    [job], _ = discover_inbox(inbox_with(tmp_path, {"แผน.csv": PLAN}))
    tables = parse_to_tables(job)
    assert tables["rejected"].num_rows == 1  # the unknown tambon
    path = tmp_path / STAGED_TABLES_FILE
    write_staged_tables(path, tables)
    back = read_staged_tables(path)
    assert list(back) == list(schema.STAGED_TABLES)
    for kind, table in tables.items():
        assert back[kind].equals(table), kind
        assert back[kind].schema == schema.staged_arrow_schema(schema.STAGED_TABLES[kind])
    budgets = back["budgets"].select(["source_row", "fiscal_year", "amount_thb"]).to_pylist()
    assert budgets == [
        {"source_row": 2, "fiscal_year": 2568, "amount_thb": Decimal("123456.00")},
        {"source_row": 3, "fiscal_year": 2568, "amount_thb": Decimal("1000.50")},
        {"source_row": 3, "fiscal_year": 2569, "amount_thb": Decimal("0.00")},
    ]


def test_stage_file_writes_one_tables_file_and_read_staged_joins_files_in_order(tmp_path):
    jobs, _ = discover_inbox(inbox_with(tmp_path, {"a.csv": PLAN, "b.csv": OTHER}))
    staging = str(tmp_path / "staging")
    staged = [stage_file(job, staging) for job in jobs]
    for item in staged:
        names = sorted(p.name for p in Path(item["staged"]).iterdir())
        assert names == sorted(["done", "plan.json", STAGED_TABLES_FILE])
    tables = read_staged(staged)
    for kind, spec in schema.STAGED_TABLES.items():
        expected = pa.concat_tables([parse_to_tables(job)[kind] for job in jobs])
        assert tables[kind].equals(expected), kind
        assert tables[kind].schema == schema.staged_arrow_schema(spec)
    assert tables["projects"].column("project_name").to_pylist() == [
        "ก่อสร้างถนน คสล. หมู่ที่ 3",
        "ขุดลอกคลอง",
        "ปลูกป่า",
    ]
    assert stage_file(jobs[0], staging)["reused"] is True


def test_read_staged_of_no_file_gives_every_kind_empty():
    tables = read_staged([])
    assert {kind: t.num_rows for kind, t in tables.items()} == dict.fromkeys(
        schema.STAGED_TABLES, 0
    )


def legacy_stage_key(job) -> str:
    """The stage key before the staging format was part of it (one Parquet file per kind)."""
    parts = (job.file_sha256, job.source_file, job.district_code, job.provinces)
    key = "\x1f".join((*parts, rules_fingerprint()))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def test_a_folder_staged_as_parquet_is_parsed_again_not_misread(tmp_path):
    [job], _ = discover_inbox(inbox_with(tmp_path, {"แผน.csv": PLAN}))
    staging = tmp_path / "staging"
    old = staging / legacy_stage_key(job)
    old.mkdir(parents=True)
    tables = parse_to_tables(job)
    pq.write_table(tables["projects"].slice(0, 1), old / "stg_projects.parquet")
    (old / "plan.json").write_text(json.dumps({"plan_level": "tambon"}))
    (old / "done").write_text("{}")
    assert staged_already(job, str(staging)) is None
    result = stage_file(job, str(staging))
    assert result["reused"] is False
    assert Path(result["staged"]).name != old.name
    assert read_staged([result])["projects"].num_rows == 2
    assert old.is_dir()  # not ours to judge: left as it was


def test_a_changed_staging_format_is_a_changed_stage_key(tmp_path, monkeypatch):
    [job], _ = discover_inbox(inbox_with(tmp_path, {"แผน.csv": PLAN}))
    before = stage.stage_key(job)
    monkeypatch.setattr(stage, "STAGE_FORMAT", "some-later-format")
    assert stage.stage_key(job) != before


def test_a_staged_file_with_data_after_its_tables_is_refused(tmp_path):
    [job], _ = discover_inbox(inbox_with(tmp_path, {"แผน.csv": PLAN}))
    path = tmp_path / STAGED_TABLES_FILE
    write_staged_tables(path, parse_to_tables(job))
    with open(path, "ab") as handle:
        handle.write(b"\x00" * 16)
    with pytest.raises(ValueError, match="after the last staged table"):
        read_staged_tables(path)


def test_a_truncated_staged_file_is_refused(tmp_path):
    [job], _ = discover_inbox(inbox_with(tmp_path, {"แผน.csv": PLAN}))
    path = tmp_path / STAGED_TABLES_FILE
    write_staged_tables(path, parse_to_tables(job))
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(ValueError, match="not a whole staged parse"):
        read_staged_tables(path)
