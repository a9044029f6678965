-- FY 2569 by funding route: 'requested' money is asked of other agencies, not the tambon's own.
select funding_route, count(distinct project_id) as n_projects, sum(amount_thb) as amount_thb
from oneplan
where fiscal_year = 2569
group by funding_route
order by amount_thb desc
