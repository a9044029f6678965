-- Every non-blank row read has exactly one outcome: the outcomes (accepted, rejected,
-- skipped) add up per file, they number the non-blank rows the reader counted in its sheets
-- before reading (a row with no outcome, or with two, breaks it), and the rejected count
-- matches rejected_rows.
select s.submission_id, s.source_file, s.n_rows_nonblank, s.n_rows_read, s.n_rows_accepted,
    s.n_rows_rejected, s.n_rows_skipped, count(r.source_row) as n_rejected_rows
from submissions as s
left join rejected_rows as r on r.submission_id = s.submission_id
where s.status = 'current'
group by all
having s.n_rows_read <> s.n_rows_accepted + s.n_rows_rejected + s.n_rows_skipped
    or s.n_rows_read <> s.n_rows_nonblank
    or s.n_rows_rejected <> count(r.source_row)
