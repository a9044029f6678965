-- The run summary's budgets: per district and fiscal year, from the One Plan view, money
-- counted once (a project taken into a plan above, or a copy, counts there).
with

plan as (
    select * from oneplan where is_counted
),

final as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb
    from plan
    group by district_code, fiscal_year
)

select * from final
order by district_code, fiscal_year
