"""The pure publication functions: fingerprint, unchanged test, readable rows, history carry."""

from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
from oneplan.transforms import schema
from oneplan.transforms.publication import (
    carry_first_loaded,
    concat_as,
    has_readable_row,
    inputs_fingerprint,
    is_unchanged,
    submission_records,
)

T0 = pd.Timestamp(datetime(2026, 11, 1, tzinfo=UTC))
T1 = pd.Timestamp(datetime(2026, 11, 2, tzinfo=UTC))


def _publications(*rows: tuple[pd.Timestamp, str]) -> pa.Table:
    frame = pd.DataFrame(
        [
            {
                "published_at": at,
                "n_submissions": 1,
                "n_files_parsed": 1,
                "n_files_reused": 0,
                "n_projects": 1,
                "n_changes": 0,
                "rules_fingerprint": "r",
                "inputs_fingerprint": fp,
            }
            for at, fp in rows
        ]
    )
    return concat_as(schema.PUBLICATIONS, [frame])


def test_inputs_fingerprint_ignores_order_and_sees_every_input():
    issue = {"code": "file_outside_district", "source_file": "x.xlsx"}
    base = inputs_fingerprint(["a", "b"], [issue], "18")
    assert base == inputs_fingerprint(["b", "a"], [issue], "18")
    assert len(base) == 32
    assert (
        len(
            {
                base,
                inputs_fingerprint(["a"], [issue], "18"),
                inputs_fingerprint(["a", "b"], [], "18"),
                inputs_fingerprint(["a", "b"], [issue], "18,17"),
            }
        )
        == 4
    )


def test_unchanged_compares_with_the_latest_publication_only():
    assert not is_unchanged(None, "x")
    assert not is_unchanged({"publications": _publications()}, "x")
    both = {"publications": _publications((T1, "new"), (T0, "old"))}
    assert is_unchanged(both, "new")
    assert not is_unchanged(both, "old")


def test_no_readable_row_in_the_current_files_means_nothing_to_publish():
    def subs(rows):
        frame = pd.DataFrame(rows, columns=["status", "n_rows_read"])
        return {"submissions": pa.Table.from_pandas(frame, preserve_index=False)}

    assert not has_readable_row(subs([]))
    assert not has_readable_row(subs([("current", 0), ("superseded", 5)]))
    assert has_readable_row(subs([("current", 0), ("current", 2)]))


def test_submission_records_and_first_loaded_time_carried():
    files = [
        {
            "submission_id": "s1",
            "district_code": "1801",
            "source_file": "1801/a.xlsx",
            "file_sha256": "f" * 64,
            "file_modified_at": "2026-10-01T00:00:00+00:00",
            "plan_level": "tambon",
            "path": "/ignored",
        }
    ]
    records = submission_records(files, T1)
    assert list(records.columns) == list(schema.SUBMISSION_RECORD_COLUMNS)
    assert records.loc[0, "loaded_at"] == T1
    assert records.loc[0, "plan_level"] == "tambon"
    old = pd.DataFrame({"submission_id": ["s1"], "loaded_at": [T0]})
    assert carry_first_loaded(records, old).loc[0, "loaded_at"] == T0
    new = pd.DataFrame({"submission_id": ["s9"], "loaded_at": [T0]})
    assert carry_first_loaded(records, new).loc[0, "loaded_at"] == T1


def test_concat_as_skips_missing_frames_and_keeps_the_schema():
    empty = concat_as(schema.PROJECT_CHANGES, [None, pd.DataFrame()])
    assert empty.schema == schema.arrow_schema(schema.PROJECT_CHANGES)
    assert empty.num_rows == 0
