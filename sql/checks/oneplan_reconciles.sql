-- The One Plan view carries exactly the budgets of project_budgets, per district and year.
with

view_totals as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb, count(*) as n
    from oneplan
    group by all
),

table_totals as (
    select p.district_code, b.fiscal_year, sum(b.amount_thb) as amount_thb, count(*) as n
    from project_budgets as b
    inner join projects as p on p.project_id = b.project_id
    group by all
)

select *
from view_totals
full outer join table_totals using (district_code, fiscal_year)
where view_totals.amount_thb is distinct from table_totals.amount_thb
    or view_totals.n is distinct from table_totals.n
