-- The quality report's inbox-level issues: folders and files that were not read.
select source_file, severity, code, message, message_en
from data_issues
where submission_id is null
order by source_file, code
