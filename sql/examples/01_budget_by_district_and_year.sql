-- Budget per district and fiscal year, districts in Thai dictionary order.
select district_name_th, fiscal_year, count(*) as n_projects, sum(amount_thb) as amount_thb
from oneplan
group by all
order by district_name_th, fiscal_year
limit 6
