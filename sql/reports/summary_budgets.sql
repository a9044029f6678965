-- The run summary's budgets: per district and fiscal year, from the One Plan view.
with

plan as (
    select * from oneplan
),

final as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb
    from plan
    group by district_code, fiscal_year
)

select * from final
order by district_code, fiscal_year
