-- FY 2569 by provincial strategy, province-wide: what share of the plan serves each strategy.
select
    strategy_code,
    any_value(strategy_name_th)[:40] as strategy_name_th,
    any_value(national_codes) as national_codes,
    sum(n_projects) as n_projects,
    sum(amount_thb) as amount_thb
from plan_by_strategy
where fiscal_year = 2569
group by strategy_code
order by strategy_code nulls last
