-- The number of inbox-level issues (folders and files that were not read); a district's
-- money-fall warning (district_money_fell) is about money published, not a file unread.
select count(*) as n_issues
from data_issues
where submission_id is null and code <> 'district_money_fell'
