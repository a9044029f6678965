-- plan_by_route and plan_by_strategy each carry exactly the One Plan's money per district and year.
with

plan as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb
    from oneplan
    group by all
),

by_route as (
    select
        district_code,
        fiscal_year,
        sum(own_thb + joint_thb + requested_thb + unknown_thb) as amount_thb
    from plan_by_route
    group by all
),

by_strategy as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb
    from plan_by_strategy
    group by all
),

final as (
    select
        plan.district_code,
        plan.fiscal_year,
        plan.amount_thb,
        by_route.amount_thb as route_thb,
        by_strategy.amount_thb as strategy_thb
    from plan
    full outer join by_route using (district_code, fiscal_year)
    full outer join by_strategy using (district_code, fiscal_year)
    where plan.amount_thb is distinct from by_route.amount_thb
        or plan.amount_thb is distinct from by_strategy.amount_thb
)

select * from final
