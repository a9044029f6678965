-- The quality report's inbox-level issues: folders and files that were not read.
select
    source_file, source_sheet, source_row, column_name, cell, severity, code, raw_value,
    expected_value
from data_issues
where submission_id is null
order by source_file, code
