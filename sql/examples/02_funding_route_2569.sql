-- FY 2569 by funding route, counted once: 'requested' money is asked of other agencies, not the
-- tambon's own.
select funding_route, count(distinct project_id) filter (where is_counted) as n_projects,
    sum(counted_amount_thb) as amount_thb
from oneplan
where fiscal_year = 2569
group by funding_route
order by amount_thb desc
