"""The benchmark's corpus generator and its arithmetic (no timings are asserted anywhere)."""

from __future__ import annotations

import json

import pytest

from bench import corpus, measure


@pytest.fixture(scope="module")
def province_twice(tmp_path_factory):
    one, two = tmp_path_factory.mktemp("one"), tmp_path_factory.mktemp("two")
    return (
        corpus.generate("province", one, log=lambda s: None),
        corpus.generate("province", two, log=lambda s: None),
        one,
        two,
    )


def test_province_corpus_is_deterministic(province_twice):
    first, second, one, two = province_twice
    assert first == second
    text = [(root / "province" / "manifest.json").read_bytes() for root in (one, two)]
    assert text[0] == text[1]
    written = sorted(
        p.relative_to(one / "province" / "inbox").as_posix()
        for p in (one / "province" / "inbox").rglob("*")
        if p.is_file()
    )
    assert written == sorted(f["path"] for f in first["files"])


def test_province_corpus_counts(province_twice):
    manifest = province_twice[0]
    assert manifest["spec"]["n_districts"] == 8
    assert manifest["spec"]["n_tambons"] == 53
    assert manifest["n_files"] == len(manifest["files"])
    assert manifest["n_rows"] == sum(f["rows"] for f in manifest["files"])
    assert manifest["n_rows"] == sum(d["n_rows"] for d in manifest["districts"])
    # 8 districts, 8 layouts, round-robin: each layout once, every sample format present
    assert set(manifest["layouts"]) == set(corpus.sample.LAYOUTS)
    assert set(manifest["layouts"].values()) == {1}
    assert set(manifest["formats"]) == {"csv", "ods", "xls", "xlsx"}
    folders = {d["folder"] for d in manifest["districts"]}
    assert folders == {folder for folder, _ in corpus.sample.DISTRICTS.values()}


def test_corpus_is_reused_when_up_to_date(province_twice, tmp_path):
    _, _, one, _ = province_twice
    logged = []
    again = corpus.ensure_corpus("province", one, log=logged.append)
    assert "not regenerated" in logged[-1]
    assert again == json.loads((one / "province" / "manifest.json").read_text("utf-8"))


def test_scales_grow_as_declared():
    province, region, nation = (corpus.spec(s) for s in ("province", "region", "nation"))
    assert (province["n_districts"], province["n_tambons"]) == (8, 53)
    assert region["n_districts"] >= corpus.REGION_MIN_DISTRICTS > province["n_districts"]
    assert province["n_tambons"] < region["n_tambons"] < nation["n_tambons"]
    assert (nation["n_districts"], nation["n_tambons"]) == (928, 7436)
    assert "18" in region["provinces"] and region["provinces"] == sorted(region["provinces"])
    replicated = corpus.spec("province-xN")
    n = replicated["replicas"]
    assert n == round(region["n_tambons"] / province["n_tambons"]) > 1
    assert replicated["n_tambon_plans"] == n * province["n_tambons"]
    jobs = corpus.plan("province-xN")
    assert len(jobs) == 8 * n and len({j.folder for j in jobs}) == 8 * n


@pytest.mark.e2e  # generates the region corpora
def test_row_counts_scale_as_declared(province_twice, tmp_path):
    province = province_twice[0]
    region = corpus.generate("region", tmp_path, log=lambda s: None)
    replicated = corpus.generate("province-xN", tmp_path, log=lambda s: None)
    assert region["spec"]["n_districts"] > province["spec"]["n_districts"]
    assert len({d["code"] for d in region["districts"]}) == region["spec"]["n_districts"]
    # rows grow with the tambons (3-8 projects per tambon whatever the layout)
    tambon_ratio = region["spec"]["n_tambons"] / province["spec"]["n_tambons"]
    assert region["n_rows"] > 0.6 * tambon_ratio * province["n_rows"]
    assert region["n_files"] > province["n_files"]
    # province-xN stands in for the region in Chai Nat folders: about the same row count
    assert 0.8 < replicated["n_rows"] / region["n_rows"] < 1.25
    assert {d["folder"].split("/")[0] for d in replicated["districts"]} == {
        d["folder"] for d in province["districts"]
    }
    # non-Chai Nat districts are in folders named by their code
    assert all(d["folder"] == d["code"] for d in region["districts"] if d["code"][:2] != "18")


def test_layout_fallback_for_a_two_tambon_district():
    # Bangkok's 1005 has 2 khwaeng: xlsx_sheets copies its third sheet and cannot lay it out.
    job = corpus.Job("10", "1005", "1005", ("xlsx_sheets", "csv_long"))
    _, layout = corpus.build_job(job)
    assert layout == "csv_long"


def test_median_min_max_and_ratios_on_fake_timings():
    assert measure.summarize([3.0, 1.0, 2.0]) == {"n": 3, "median": 2.0, "min": 1.0, "max": 3.0}
    assert measure.summarize([4.0, 1.0, 2.0, 3.0])["median"] == 2.5
    assert measure.summarize([]) == {"n": 0, "median": None, "min": None, "max": None}
    assert measure.ratio(10.0, 4.0) == 2.5
    assert measure.ratio(1.0, 0.0) is None and measure.ratio(None, 2.0) is None
    assert measure.per_second(8063, 2.0) == 4031.5
    medians = {"ours_cold": 2.0, "prefect_local": 8.0, "baseline": 12.0, "floor": 0.5}
    assert measure.compare(medians) == {
        "ours_cold": {"speedup_vs_baseline": 6.0, "ours_over_floor": 4.0},
        "prefect_local": {"speedup_vs_baseline": 1.5, "ours_over_floor": 16.0},
    }
    literal = measure.compare({"ours_cold": 2.0, "baseline": 4.0, "baseline_header0": 9.0})
    assert literal["ours_cold"]["speedup_vs_baseline_header0"] == 4.5
    assert "baseline_header0" not in measure.DEFAULT_MODES["nation"]
    assert measure.compare({"ours_cold": 2.0}) == {
        "ours_cold": {"speedup_vs_baseline": None, "ours_over_floor": None}
    }


def test_summary_and_table_from_fake_runs():
    manifest = {
        "spec": corpus.spec("province"), "n_rows": 600, "n_files": 20, "n_projects": 250,
        "bytes": 1024, "formats": {"csv": 20},
    }  # fmt: skip

    def run(work, peak=100.0, **info):
        return measure.Run(work + 1, work, peak, None, 0, {"files_parsed": 20, **info})

    results = {
        "ours_cold": [run(3.0), run(1.0, 300.0), run(2.0)],
        "baseline": [run(6.0), run(5.0), run(4.0)],
        "floor": [run(0.4), run(0.5), run(0.6)],
    }
    c = measure.summarize_corpus("province", manifest, results, None)
    cold = c["measurements"]["ours_cold"]
    assert cold["work_s"] == {"n": 3, "median": 2.0, "min": 1.0, "max": 3.0}
    assert cold["process_s"]["median"] == 3.0
    assert cold["rows_per_s"] == 300.0 and cold["peak_mb"] == 300.0
    assert cold["problem"] == ""
    assert c["ratios"]["ours_cold"] == {"speedup_vs_baseline": 2.5, "ours_over_floor": 4.0}
    table = measure.corpus_markdown(c)
    assert "| 2.50x | 4.00x |" in table
    assert (
        "| ours: run_plan, cold (no Prefect) | 3 | 600 | 20 | 2.00 | 1.00 | 3.00 | 300 |" in table
    )


def test_coverage_problem_flags_a_partial_read():
    manifest = {"n_files": 20}
    partial = [measure.Run(1.0, 1.0, 1.0, None, 0, {"files_parsed": 3, "files_reused": 0})]
    assert measure._coverage_problem("ours_cold", partial, manifest) == "read 3 of 20 files"
    assert measure._coverage_problem("baseline", partial, manifest) == ""


def test_bump_one_budget_keeps_encoding(tmp_path):
    path = tmp_path / "plan.csv"
    text = 'ที่,โครงการ,งบประมาณ 2568\r\n1,ถนน หมู่ที่ 2568,"1,500,000.00"\r\n'
    path.write_bytes(text.encode("cp874"))
    row, col, old, new = measure.bump_one_budget(path, 1000)
    assert (row, col, old, new) == (2, 3, "1,500,000.00", "1,501,000.00")
    assert path.read_bytes().decode("cp874").endswith('"1,501,000.00"\r\n')


def test_unchanged_over_cold_against_a_running_server():
    assert measure.unchanged_over_cold({"server_cold": 20.0, "server_unchanged": 2.5}) == 0.125
    assert measure.unchanged_over_cold({"server_cold": 20.0}) is None
    assert not set(measure.SERVER_MODES) & set(measure.DEFAULT_MODES["nation"])
