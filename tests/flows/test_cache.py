"""Consolidation district by district with each district's result cached in the staging folder
(flows.cache): real sample files, real staged Parquet, no Prefect."""

import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from oneplan.flows import cache
from oneplan.flows.levels import plans_of
from oneplan.flows.paths import mark_staging
from oneplan.flows.reference import ROOT, load_areas, load_rules
from oneplan.flows.stage import discover_inbox, stage_file
from oneplan.flows.steps import consolidate_levels, read_staged
from oneplan.transforms.consolidate import combine_parts, consolidate
from oneplan.transforms.levels import place_projects

SAMPLE = ROOT / "data" / "sample" / "inbox"
CHANGED = "sankhaburi/แผนพัฒนาตำบลดงคอน.csv"  # a file of สรรคบุรี (1805)


def stage(inbox: Path, staging: Path) -> list[dict]:
    mark_staging(staging)
    jobs, _ = discover_inbox(inbox, "18")
    return [stage_file(job, str(staging)) for job in jobs]


def entries(staging: Path) -> set[str]:
    return {p.name for p in staging.iterdir() if (p / cache.DONE).is_file()}


def texts(frame: pd.DataFrame) -> list[tuple]:
    """Rows as text, sorted (issues are compared as a multiset)."""
    return sorted(tuple(map(str, row)) for row in frame.values.tolist())


def assert_same(one, other) -> None:
    (a, links_a), (b, links_b) = one, other
    for name in ("projects", "budgets", "issues", "row_log", "rejected"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    pd.testing.assert_frame_equal(links_a, links_b, obj="links")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("cache")
    inbox = root / "inbox"
    shutil.copytree(SAMPLE, inbox)
    staging = root / "staging"
    staged = stage(inbox, staging)
    fresh = consolidate_levels(staged, load_areas("18"))
    return {"inbox": inbox, "staging": staging, "staged": staged, "fresh": fresh}


def test_units_are_the_district_folders_with_the_province_joined_to_its_districts(sample):
    staged = sample["staged"]
    tables = read_staged(staged)
    units = cache.consolidation_units(staged, tables["projects"], plans_of(staged))
    folders = [sorted({item["job"]["district_code"] for item in unit}) for unit in units]
    province = next(f for f in folders if "18" in f)
    # The province plan's rows sit in หันคา, หนองมะโมง and เนินขาม (sample generator).
    assert province == ["18", "1806", "1807", "1808"]
    assert sorted(c for f in folders for c in f) == [
        "18", "1801", "1802", "1803", "1804", "1805", "1806", "1807", "1808",
    ]  # fmt: skip
    assert sum(len(unit) for unit in units) == len(staged)


def test_districts_apart_equal_all_districts_at_once(sample):
    """Consolidating unit by unit gives the rows of one consolidation of every file."""
    staged = sample["staged"]
    tables = read_staged(staged)
    areas = load_areas("18")
    names = dict(zip(areas["tambon_code"], areas["tambon_name_th"], strict=True))
    part = cache.consolidate_districts(staged, tables, names, load_rules())
    by_unit = combine_parts([part], cache.frames_for_combine(tables), cache.submission_ids(staged))
    frames = {kind: t.to_pandas() for kind, t in tables.items()}
    frames["projects"] = place_projects(frames["projects"], plans_of(staged))
    whole = consolidate(frames, names, load_rules())
    columns = ["project_id", "source_file", "source_row", "project_name", "tambon_code"]
    assert by_unit.projects[columns].values.tolist() == whole.projects[columns].values.tolist()
    budget_cols = ["project_id", "fiscal_year", "amount_thb"]
    assert by_unit.budgets.values.tolist() == whole.budgets[budget_cols].values.tolist()
    issue_cols = [
        "source_file",
        "source_sheet",
        "source_row",
        "code",
        "raw_value",
        "expected_value",
    ]
    assert texts(by_unit.issues[issue_cols]) == texts(whole.issues[issue_cols])
    pd.testing.assert_frame_equal(by_unit.row_log, whole.row_log)
    assert (by_unit.row_log["kind"] == "duplicate").sum() > 0  # the sample plants copies


def test_cached_districts_equal_fresh_ones(sample):
    staging, staged = sample["staging"], sample["staged"]
    first = consolidate_levels(staged, load_areas("18"), staging)
    written = entries(staging)
    assert len(written) == 6  # 9 folders, four of them one unit
    again = consolidate_levels(staged, load_areas("18"), staging)
    assert entries(staging) == written
    assert_same(first, sample["fresh"])
    assert_same(again, sample["fresh"])


def test_one_changed_file_consolidates_its_district_again(sample, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(sample["inbox"], inbox)
    staging = tmp_path / "staging"
    shutil.copytree(sample["staging"], staging)
    consolidate_levels(stage(inbox, staging), load_areas("18"), staging)
    before = entries(staging)
    path = inbox / CHANGED
    text = path.read_bytes().decode("cp874")
    assert ",172000," in text
    path.write_bytes(text.replace(",172000,", ",172500,").encode("cp874"))
    staged = stage(inbox, staging)
    cached = consolidate_levels(staged, load_areas("18"), staging)
    assert len(entries(staging) - before) == 1  # สรรคบุรี only
    assert_same(cached, consolidate_levels(staged, load_areas("18")))
    amounts = cached[0].budgets["amount_thb"]
    assert (amounts == Decimal("172500.00")).sum() == 1


def test_a_stale_entry_is_consolidated_again(sample, tmp_path):
    """An entry whose recorded inputs are another unit's (planted under this unit's key)
    is not trusted."""
    staging = tmp_path / "staging"
    shutil.copytree(sample["staging"], staging)
    staged = sample["staged"]
    consolidate_levels(staged, load_areas("18"), staging)
    keys = sorted(entries(staging))
    source, target = staging / keys[0], staging / keys[1]
    for name in cache.PART_TABLES:
        shutil.copy(source / f"{name}.parquet", target / f"{name}.parquet")
    (target / cache.DONE).write_text((source / cache.DONE).read_text())
    assert_same(consolidate_levels(staged, load_areas("18"), staging), sample["fresh"])
    assert (target / cache.DONE).read_text() != (source / cache.DONE).read_text()  # rewritten


def test_an_unreadable_entry_is_consolidated_again(sample, tmp_path):
    staging = tmp_path / "staging"
    shutil.copytree(sample["staging"], staging)
    staged = sample["staged"]
    consolidate_levels(staged, load_areas("18"), staging)
    for key in entries(staging):
        (staging / key / "projects.parquet").write_bytes(b"not parquet")
    assert_same(consolidate_levels(staged, load_areas("18"), staging), sample["fresh"])
    for key in entries(staging):
        assert (staging / key / "projects.parquet").read_bytes()[:4] == b"PAR1"
