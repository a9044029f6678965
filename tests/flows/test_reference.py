"""The staged-parse key (issue 21): it depends on what the reader runs (its modules and the
data tables it reads), so editing a chart helper or the workbook writer keeps every staged
parse, while editing the reader or one of its tables parses again."""

import shutil
from pathlib import Path

import pytest
from oneplan.flows import reference
from oneplan.flows.stage import discover_inbox, parse_to_tables, stage_key

PLAN = "ที่,โครงการ,ตำบล,2568,2569\n1,ก่อสร้างถนน คสล. หมู่ที่ 3,ตลุก,123456,\n"
CACHED = (
    "load_alignment",
    "load_rules",
    "load_level_patterns",
    "load_linkage_settings",
    "rules_fingerprint",
)


def _clear_caches():
    for name in CACHED:
        getattr(reference, name).cache_clear()


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the code and data/ that the fingerprint hashes instead of the real ones."""
    root = tmp_path / "tree"
    for folder in ("oneplan", "flows", "transforms"):
        shutil.copytree(
            reference.ROOT / folder,
            root / folder,
            ignore=shutil.ignore_patterns("*.pyc", "__pycache__"),
        )
    (root / "data").mkdir()
    for path in reference.DATA.glob("*.csv"):
        shutil.copy(path, root / "data" / path.name)
    monkeypatch.setattr(reference, "ROOT", root)
    monkeypatch.setattr(reference, "DATA", root / "data")
    _clear_caches()
    yield root
    monkeypatch.undo()
    _clear_caches()


@pytest.fixture
def job(tmp_path):
    path = tmp_path / "inbox" / "1804" / "แผน.csv"
    path.parent.mkdir(parents=True)
    path.write_text(PLAN, encoding="utf-8")
    [found], _ = discover_inbox(tmp_path / "inbox")
    return found


def key_after(job, edit=None) -> str:
    if edit is not None:
        edit()
        reference.rules_fingerprint.cache_clear()
    return stage_key(job)


def append(path: Path, text: str):
    return lambda: path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_reader_is_the_stage_module_and_what_it_imports_not_the_outputs():
    modules = reference.imported_modules(reference.READER_ENTRY, reference.ROOT)
    assert {
        "oneplan.flows.stage",
        "oneplan.flows.read",
        "oneplan.transforms.sheet",
        "oneplan.transforms.numbers",
        "oneplan.transforms.text",
        "oneplan.transforms.levels",
    } <= set(modules)
    for other in (
        "oneplan.transforms.outputs",
        "oneplan.transforms.history",
        "oneplan.flows.workbook",
        "oneplan.flows.report",
        "oneplan.flows.check",
        "oneplan.flows.cli",
    ):
        assert other not in modules, other
    assert all(path.is_file() and path.suffix == ".py" for path in modules.values())


@pytest.mark.parametrize(
    "edited",
    ["transforms/outputs.py", "transforms/history.py", "flows/workbook.py", "flows/report.py"],
)
def test_editing_a_module_the_reader_never_runs_keeps_the_stage_key(tree, job, edited):
    before = key_after(job)
    after = key_after(job, append(tree / edited, "\n# a chart helper changed\n"))
    assert after == before


def test_editing_a_table_the_reader_never_reads_keeps_the_stage_key(tree, job):
    before = key_after(job)
    assert "issue_labels" not in reference.READER_TABLES
    after = key_after(job, append(tree / "data" / "issue_labels.csv", "x_code,ป้าย\n"))
    assert after == before


@pytest.mark.parametrize(
    "edited",
    ["transforms/sheet.py", "transforms/numbers.py", "flows/read.py", "flows/stage.py"],
)
def test_editing_a_reader_module_changes_the_stage_key(tree, job, edited):
    before = key_after(job)
    after = key_after(job, append(tree / edited, "\n# the reader changed\n"))
    assert after != before


@pytest.mark.parametrize("table", reference.READER_TABLES)
def test_editing_a_table_the_reader_reads_changes_the_stage_key(tree, job, table):
    before = key_after(job)
    after = key_after(job, append(tree / "data" / f"{table}.csv", "\n"))
    assert after != before


def test_a_module_the_reader_starts_to_import_joins_the_key(tree, job):
    before = key_after(job)
    key_after(
        job, append(tree / "transforms" / "text.py", "\nfrom oneplan.transforms import outputs\n")
    )
    changed = key_after(job)
    assert changed != before
    after = key_after(job, append(tree / "transforms" / "outputs.py", "\n# now read\n"))
    assert after != changed


def test_every_table_a_parse_reads_is_in_the_reader_tables(job, monkeypatch):
    """Plants nothing: reads a CSV and a sample workbook with every reference table loaded
    afresh and fails when the reader reads a table the fingerprint does not hash."""
    read: list[str] = []
    real = reference._read_table

    def recording(name):
        read.append(name)
        return real(name)

    monkeypatch.setattr(reference, "_read_table", recording)
    _clear_caches()
    try:
        parse_to_tables(job)
        jobs, _ = discover_inbox(reference.DEFAULT_INBOX)
        parse_to_tables(next(j for j in jobs if j.path.endswith(".xlsx")))
    finally:
        monkeypatch.undo()
        _clear_caches()
    assert read, "the parse read no table: the recording is not where the reader reads"
    assert set(read) <= set(reference.READER_TABLES), set(read) - set(reference.READER_TABLES)


@pytest.mark.parametrize("path", sorted(reference.DATA.glob("*.csv")), ids=lambda p: p.stem)
def test_a_table_reads_as_pandas_reads_it(path):
    import pandas as pd

    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    got = reference._read_table(path.stem)
    pd.testing.assert_frame_equal(got, expected)


def test_a_table_row_with_a_missing_cell_is_refused(tmp_path, monkeypatch):
    (tmp_path / "agencies.csv").write_text("code,name_th\nA1,อบจ.\nA2\n", encoding="utf-8")
    monkeypatch.setattr(reference, "DATA", tmp_path)
    with pytest.raises(ValueError, match="row 3 has 1 cells"):
        reference._read_table("agencies")
