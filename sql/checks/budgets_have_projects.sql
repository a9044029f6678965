-- Every budget row belongs to a published project.
select b.project_id, b.fiscal_year
from project_budgets as b
left join projects as p on p.project_id = b.project_id
where p.project_id is null
