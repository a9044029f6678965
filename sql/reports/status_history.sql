-- Submissions no longer current, by status.
select status, count(*) as n
from submissions
where status <> 'current'
group by status
order by status
