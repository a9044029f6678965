-- FY 2569 requests by the agency asked (requested and joint projects): what each agency is sent.
select requested_from, sum(n_projects) as n_projects, sum(amount_thb) as amount_thb
from agency_requests
where fiscal_year = 2569
group by requested_from
order by amount_thb desc
