-- The changes of one publication ($1: its published_at), by kind.
select change, count(*) as n
from project_changes
where changed_at = $1
group by change
order by change
