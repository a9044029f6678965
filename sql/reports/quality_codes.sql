-- The quality report's issues per district, severity and code (current files).
select s.district_code, i.severity, i.code, count(*) as n_issues
from data_issues as i
inner join submissions as s on s.submission_id = i.submission_id
where s.status = 'current'
group by s.district_code, i.severity, i.code
