-- Every level's plans as written, and the same money counted once (at the plan that funds it).
select plan_level, sum(n_projects) as n_project_years, sum(amount_thb) as written_thb,
    sum(counted_amount_thb) as counted_once_thb
from plan_rollup
group by plan_level
order by list_position(['province', 'district', 'tambon', 'village'], plan_level)
