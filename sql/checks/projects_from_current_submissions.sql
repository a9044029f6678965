-- Only current submissions contribute projects: nothing superseded or withdrawn is counted.
select p.project_id, s.status
from projects as p
inner join submissions as s on s.submission_id = p.submission_id
where s.status <> 'current'
