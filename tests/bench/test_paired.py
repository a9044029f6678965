"""The district-sized corpora and the paired benchmark's arithmetic (no timing is asserted)."""

from __future__ import annotations

import math

import pytest

from bench import corpus, corpus_district, paired
from bench.measure import Run


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("district")
    return corpus_district.ensure_corpus("province", root, log=lambda s: None), root


@pytest.mark.e2e  # generates the district corpus
def test_district_files_hold_100_to_1000_rows(province):
    manifest, root = province
    rows = [f["rows"] for f in manifest["files"]]
    assert len(rows) == manifest["n_files"] >= 16
    assert min(rows) >= 100 and max(rows) <= 1000
    assert (
        manifest["n_rows"] == sum(rows) > 20 * sum(d["n_tambons"] for d in manifest["districts"])
    )  # the tiny corpora hold about 28 rows a tambon
    fr = corpus_district.file_rows(manifest)
    assert fr["min"] == min(rows) and fr["max"] == max(rows)
    # one workbook per district and one per tambon are both there, in every sample format
    splits = {corpus.sample.LAYOUTS[d["layout"]]["split"] for d in manifest["districts"]}
    assert {"file", "one", "sheet"} <= splits
    assert set(manifest["formats"]) == {"csv", "ods", "xls", "xlsx"}
    written = sorted(
        p.relative_to(root / "district-province" / "inbox").as_posix()
        for p in (root / "district-province" / "inbox").rglob("*")
        if p.is_file()
    )
    assert written == sorted(f["path"] for f in manifest["files"])


@pytest.mark.e2e  # generates the district corpus
def test_district_corpus_is_deterministic_and_reused(province):
    manifest, root = province
    job = corpus.plan("province")[3]
    first, second = corpus_district.build_job(job), corpus_district.build_job(job)
    assert first[1] == second[1]
    assert corpus.sample.build_manifest(first[0]) == corpus.sample.build_manifest(second[0])
    logged = []
    assert corpus_district.ensure_corpus("province", root, log=logged.append) == manifest
    assert "up to date" in logged[-1]


def test_projects_a_tambon_follow_the_row_target():
    job = corpus.plan("province")[0]  # 1801, 9 tambons
    for layout, spec in corpus.sample.LAYOUTS.items():
        lo, hi = corpus_district.projects_per_tambon(job, layout)
        target = corpus_district.target_rows(job, layout)
        bounds = (
            corpus_district.TAMBON_FILE_ROWS
            if spec["split"] == "file"
            else corpus_district.DISTRICT_FILE_ROWS
        )
        assert bounds[0] <= target <= bounds[1]
        tambons = 1 if spec["split"] == "file" else len(corpus._tambons(job.code))
        per_project = corpus_district.ROWS_PER_PROJECT[spec["shape"]]
        assert hi == round(target / per_project / tambons)
        assert lo == round(hi * 0.8) or abs(lo - 0.8 * hi) <= 1


def test_paired_ratio_uses_only_rounds_where_both_succeeded():
    rounds = [
        {"a": 6.0, "b": 2.0},
        {"a": 8.0, "b": 2.0},
        {"a": None, "b": 1.0},  # a failed
        {"a": 3.0, "b": 3.0},
    ]
    got = paired.paired_ratio(rounds, "a", "b")
    assert got == {"n": 3, "median": 3.0, "values": [3.0, 4.0, 1.0]}
    assert paired.paired_ratio(rounds, "a", "missing") == {"n": 0, "median": None, "values": []}


def test_growth_exponent_is_the_log_log_slope():
    assert paired.growth_exponent([(1000, 2.0), (10_000, 20.0)]) == pytest.approx(1.0)
    assert paired.growth_exponent([(1000, 1.0), (4000, 16.0)]) == pytest.approx(2.0)
    three = paired.growth_exponent([(100, 1.0), (1000, 10.0), (10_000, 1000.0)])
    assert three == pytest.approx(1.5)
    assert paired.growth_exponent([(1000, 2.0)]) is None
    assert paired.growth_exponent([(1000, 2.0), (1000, 3.0)]) is None  # one row count


def test_rounds_rotate_the_order():
    units = ["run_plan", "cli", "floor"]
    assert [paired.rotated(units, i) for i in range(4)] == [
        ["run_plan", "cli", "floor"],
        ["cli", "floor", "run_plan"],
        ["floor", "run_plan", "cli"],
        ["run_plan", "cli", "floor"],
    ]


def _run(wall: float, rc: int = 0, **info) -> Run:
    return Run(wall, info.get("work_s"), 100.0 + wall, None, rc, info)


def test_summary_of_fake_rounds_and_its_table():
    manifest = {
        "spec": corpus_district.spec("province"), "n_rows": 6000, "n_files": 20,
        "n_projects": 5000, "bytes": 1024 * 1024, "formats": {"csv": 20},
        "files": [{"rows": r} for r in (100, 300, 900)],
    }  # fmt: skip
    cold = {"files_parsed": 20, "files_reused": 0}
    rounds = [
        {"loadavg": [1.0, 2.0, 3.0], "runs": {
            "run_plan_cold": _run(6.0, **cold), "pandas_calamine": _run(3.0),
            "run_plan_unchanged": _run(1.5, files_parsed=0, files_reused=20)}},
        {"loadavg": [4.0, 5.0, 6.0], "runs": {
            "run_plan_cold": _run(10.0, **cold), "pandas_calamine": _run(4.0),
            "run_plan_unchanged": _run(0.5, files_parsed=0, files_reused=20)}},
        {"loadavg": [1.0, 1.0, 1.0], "runs": {  # planted: this cold run read 3 of 20 files
            "run_plan_cold": _run(1.0, files_parsed=3, files_reused=0),
            "pandas_calamine": _run(5.0),
            "run_plan_unchanged": _run(9.0, rc=1)}},
    ]  # fmt: skip
    modes = ["run_plan_cold", "run_plan_unchanged", "pandas_calamine"]
    c = paired.summarize_corpus("province", manifest, rounds, modes, None, "abc")
    m = c["measurements"]
    assert (m["run_plan_cold"]["n"], m["run_plan_cold"]["failed"]) == (2, 1)
    assert m["run_plan_cold"]["problems"] == ["saw 3 of 20 files"]
    assert m["run_plan_cold"]["median_s"] == 8.0 and m["run_plan_cold"]["rows_per_s"] == 750.0
    assert m["pandas_calamine"]["median_s"] == 4.0
    assert m["run_plan_unchanged"]["failed"] == 1
    assert c["ratios"]["run_plan_cold / pandas_calamine"]["values"] == [2.0, 2.5]
    assert c["ratios"]["run_plan_cold / pandas_calamine"]["median"] == 2.25
    assert c["ratios"]["run_plan_unchanged / run_plan_cold"]["values"] == [0.25, 0.05]
    assert c["file_rows"] == {"min": 100, "median": 300, "max": 900}
    table = paired.corpus_markdown(c)
    assert "| `run_plan`, cold (1 failed) **saw 3 of 20 files** | 2 | 8.00 | 6.00 | 10.00 |" in (
        table
    )
    assert "| run_plan_cold / pandas_calamine | 2 | 2.25 |" in table
    assert "1.0 2.0 3.0; 4.0 5.0 6.0; 1.0 1.0 1.0" in table


def test_coverage_catches_a_rerun_that_parsed_everything():
    assert paired._coverage("run_plan_unchanged", _run(1.0, files_parsed=20), 20) == (
        "parsed 20 files, expected 0"
    )
    assert (
        paired._coverage("run_plan_one_changed", _run(1.0, files_parsed=1, files_reused=19), 20)
        == ""
    )
    assert paired._coverage("pandas_calamine", _run(1.0), 20) == ""


def test_growth_over_corpora():
    def corpus_(rows, seconds, peak):
        return {"n_rows": rows, "measurements": {"floor": {"median_s": seconds, "peak_mb": peak}}}

    got = paired.growth([corpus_(1000, 0.5, 40.0), corpus_(8000, 4.0, 75.0)])
    assert list(got) == ["floor"]
    assert math.isclose(got["floor"]["time_exponent"], 1.0)
    assert math.isclose(got["floor"]["kb_per_row"], 35.0 / 7000 * 1024)
    assert paired.marginal_kb_per_row([(1000, 10.0)]) is None
    assert paired.growth([corpus_(1000, 0.5, 40.0)]) == {}


def test_check_target_is_the_chai_nat_xlsx_nearest_500_rows():
    files = [
        {"path": "1001/a.xlsx", "format": "xlsx", "rows": 500, "district_code": "1001"},
        {"path": "1801/b.xlsx", "format": "xlsx", "rows": 700, "district_code": "1801"},
        {"path": "1802/c.xlsx", "format": "xlsx", "rows": 420, "district_code": "1802"},
        {"path": "1803/d.csv", "format": "csv", "rows": 500, "district_code": "1803"},
    ]
    assert paired.check_target({"files": files})["path"] == "1802/c.xlsx"


def test_report_has_the_growth_table_when_two_scales_ran():
    def corpus_(rows, seconds, peak):
        manifest = {
            "spec": corpus_district.spec("province"), "n_rows": rows, "n_files": 2,
            "n_projects": rows, "bytes": 1024, "formats": {"csv": 2},
            "files": [{"rows": 100}, {"rows": 200}],
        }  # fmt: skip
        rounds = [
            {"loadavg": [1.0, 1.0, 1.0], "runs": {"floor": Run(seconds, None, peak, None, 0)}}
        ]
        return paired.summarize_corpus("province", manifest, rounds, ["floor"], None, "abc")

    result = {
        "started_at": "now", "command": "python -m bench", "runs": 1,
        "machine": {"nproc": 2, "cpu": "x", "mem_total_mb": 1, "python": "3", "packages": {}},
        "corpora": [corpus_(1000, 1.0, 50.0), corpus_(10_000, 100.0, 50.0)],
    }  # fmt: skip
    text = paired.report_markdown(result)
    assert "| floor: python-calamine cells + csv parse | 2.00 | 0.00 |" in text
    result["corpora"].pop()
    assert "Growth" not in paired.report_markdown(result)
