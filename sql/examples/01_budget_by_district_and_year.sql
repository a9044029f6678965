-- Budget per district and fiscal year, counted once (sum counted_amount_thb: a project in a
-- village plan and the tambon plan, or taken up by a plan above, counts once), districts in
-- Thai dictionary order.
select district_name_th, fiscal_year, count(distinct project_id) as n_projects,
    sum(counted_amount_thb) as amount_thb
from oneplan
where fiscal_year is not null
group by all
order by district_name_th, fiscal_year
limit 6
