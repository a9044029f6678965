-- Every other measure's row (an ordinance's grant, money spent...) belongs to a published
-- project.
select m.project_id, m.measure, m.fiscal_year
from project_measures as m
left join projects as p on p.project_id = m.project_id
where p.project_id is null
