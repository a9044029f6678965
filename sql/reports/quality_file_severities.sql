-- The quality report's issues per current file and severity.
select i.submission_id, i.severity, count(*) as n_issues
from data_issues as i
inner join submissions as s on s.submission_id = i.submission_id
where s.status = 'current'
group by i.submission_id, i.severity
