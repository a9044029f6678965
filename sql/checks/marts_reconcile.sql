-- plan_by_route, plan_by_strategy and agency_requests each carry exactly the One Plan's money
-- counted once (oneplan.is_counted, as plan_rollup counts it) per district and year; the
-- requests carry exactly its counted requested and joint money.
with

plan as (
    select
        district_code,
        fiscal_year,
        sum(amount_thb) as amount_thb,
        coalesce(sum(amount_thb) filter (where funding_route in ('requested', 'joint')), 0)
            as requests_thb
    from oneplan
    where is_counted
    group by all
),

rollup as (
    select district_code, fiscal_year, sum(counted_amount_thb) as amount_thb
    from plan_rollup
    group by all
),

by_request as (
    select district_code, fiscal_year, sum(amount_thb) as amount_thb
    from agency_requests
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
        district_code,
        fiscal_year,
        plan.amount_thb,
        rollup.amount_thb as rollup_thb,
        by_route.amount_thb as route_thb,
        by_strategy.amount_thb as strategy_thb,
        plan.requests_thb,
        by_request.amount_thb as request_thb
    from plan
    full outer join rollup using (district_code, fiscal_year)
    full outer join by_route using (district_code, fiscal_year)
    full outer join by_strategy using (district_code, fiscal_year)
    full outer join by_request using (district_code, fiscal_year)
    where coalesce(plan.amount_thb, 0) <> coalesce(rollup.amount_thb, 0)
        or plan.amount_thb is distinct from by_route.amount_thb
        or plan.amount_thb is distinct from by_strategy.amount_thb
        or coalesce(plan.requests_thb, 0) <> coalesce(by_request.amount_thb, 0)
)

select * from final
