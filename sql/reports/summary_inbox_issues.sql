-- The number of inbox-level issues (folders and files that were not read).
select count(*) as n_issues
from data_issues
where submission_id is null
