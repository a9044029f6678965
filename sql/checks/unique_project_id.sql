-- Every project_id names exactly one project.
select project_id, count(*) as n
from projects
group by project_id
having count(*) > 1
