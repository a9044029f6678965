-- How much of each district's plan serves each provincial strategy, per fiscal year, money
-- counted once (only projects the One Plan counts: oneplan.is_counted; shares of counted money).
-- With the strategies each provincial strategy serves in the cluster, regional and national
-- plans (strategies.*_codes).
-- Grain: district x provincial strategy (NULL = not aligned) x fiscal year.
create view plan_by_strategy as

with

plan as (
    select * from oneplan
    where is_counted
),

strategy as (
    select * from strategies
    where level = 'provincial'
),

by_strategy as (
    select
        plan.district_code,
        plan.district_name_th,
        plan.fiscal_year,
        plan.strategy_code,
        count(distinct plan.project_id) as n_projects,
        sum(plan.amount_thb) as amount_thb
    from plan
    group by all
),

district_year as (
    select
        plan.district_code,
        plan.fiscal_year,
        sum(plan.amount_thb) as district_amount_thb
    from plan
    group by all
),

final as (
    select
        by_strategy.district_code,
        by_strategy.district_name_th,
        by_strategy.fiscal_year,
        by_strategy.strategy_code,
        strategy.name_th as strategy_name_th,
        strategy.cluster_codes,
        strategy.regional_codes,
        strategy.national_codes,
        by_strategy.n_projects,
        by_strategy.amount_thb,
        cast(
            case
                when district_year.district_amount_thb = 0 then null
                else by_strategy.amount_thb / district_year.district_amount_thb
            end as decimal(5, 4)
        ) as share_of_district
    from by_strategy
    inner join district_year
        on district_year.district_code = by_strategy.district_code
        and district_year.fiscal_year = by_strategy.fiscal_year
    left join strategy on strategy.strategy_code = by_strategy.strategy_code
)

select * from final
order by district_code, fiscal_year, strategy_code nulls last
