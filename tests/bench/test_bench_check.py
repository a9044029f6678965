"""bench.check: the phase split checks the same file the same way as `oneplan check`, and the
summary's arithmetic (no timing is asserted)."""

from pathlib import Path

from oneplan.flows.check import check_files

from bench import check as bench_check

PLAN = "ที่,โครงการ,ตำบล,2568\n1,ก่อสร้างถนน,ตลุก,123456\n2,ขุดลอกคลอง,ไม่มีตำบลนี้,5000\n"


def test_phases_check_the_file_as_the_command_does(tmp_path):
    path = tmp_path / "1804" / "แผน.csv"
    path.parent.mkdir()
    path.write_text(PLAN, encoding="utf-8")
    split = bench_check.phases(str(path), "1804")
    expected = check_files([Path(path)], "1804").files[0]
    assert split["issues"] == len(expected.issues) > 0
    assert split["row_log"] == len(expected.row_log) == 3
    assert {key for key, _ in bench_check.PHASES} <= set(split)
    assert all(split[key] >= 0 for key, _ in bench_check.PHASES)


def test_summary_takes_medians_and_minimums_of_the_good_runs():
    runs = [
        {"wall_s": w, "cpu_s": c, "peak_mb": 100.0, "load_1min": 1.0, "returncode": code}
        for w, c, code in ((0.6, 0.5, 1), (0.4, 0.3, 0), (0.5, 0.4, 0), (9.0, 9.0, 2))
    ]
    summary = bench_check.summarize(runs)
    assert summary["runs"] == 3
    assert summary["wall_median_s"] == 0.5
    assert summary["wall_min_s"] == 0.4
    assert summary["cpu_median_s"] == 0.4
    assert summary["cpu_min_s"] == 0.3
