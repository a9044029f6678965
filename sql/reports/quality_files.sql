-- The quality report's files: each current file with its rows by outcome.
select district_code, source_file, n_rows_read, n_rows_accepted, n_rows_rejected,
    n_rows_skipped, submission_id
from submissions
where status = 'current'
order by district_code, source_file
