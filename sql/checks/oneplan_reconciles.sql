-- The One Plan view carries exactly the budgets of project_budgets, per district and year, its
-- counted column exactly the money of the counted projects, and lists every project (a project
-- with no amount in any year once, with fiscal_year NULL).
with

view_totals as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb,
        sum(counted_amount_thb) as counted_amount_thb, count(*) as n
    from oneplan
    where fiscal_year is not null
    group by all
),

table_totals as (
    select p.district_code, b.fiscal_year, sum(b.amount_thb) as amount_thb,
        coalesce(sum(b.amount_thb) filter (where p.is_counted), 0) as counted_amount_thb,
        count(*) as n
    from project_budgets as b
    inner join projects as p on p.project_id = b.project_id
    group by all
),

money_mismatch as (
    select district_code, fiscal_year, null as project_id, 'totals differ' as problem
    from view_totals
    full outer join table_totals using (district_code, fiscal_year)
    where view_totals.amount_thb is distinct from table_totals.amount_thb
        or view_totals.counted_amount_thb is distinct from table_totals.counted_amount_thb
        or view_totals.n is distinct from table_totals.n
),

not_listed as (
    select p.district_code, null::integer as fiscal_year, p.project_id,
        'project not in the oneplan view' as problem
    from projects as p
    semi join areas as area on area.tambon_code = p.tambon_code  -- else tambon_in_areas says it
    anti join oneplan as plan on plan.project_id = p.project_id
),

final as (
    select * from money_mismatch
    union all
    select * from not_listed
)

select * from final
