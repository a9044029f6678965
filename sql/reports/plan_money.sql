-- Baht per district and fiscal year, funding routes apart, counted once, with the written
-- amount beside it; is_plan_total rows are the whole plan per year. Read as plan_summary
-- computes it (the report, the run summary and status show these numbers, never their own).
select
    district_code,
    fiscal_year,
    is_plan_total,
    own_thb,
    joint_thb,
    requested_thb,
    unstated_thb,
    counted_thb,
    written_thb,
    n_projects
from plan_summary
order by is_plan_total, district_code, fiscal_year
