-- How much of each district's plan serves each provincial strategy, per fiscal year, money
-- counted once (the district rows of strategy_summary, where it is computed; shares of the
-- district's counted money from plan_summary), with the strategies each provincial strategy
-- serves in the cluster, regional and national plans (strategies.*_codes).
-- Grain: district x provincial strategy (NULL = not aligned) x fiscal year.
create view plan_by_strategy as

with

by_strategy as (
    select * from strategy_summary
    where not is_plan_total and n_projects > 0
),

district_year as (
    select * from plan_summary
    where not is_plan_total
),

final as (
    select
        by_strategy.district_code,
        district_year.district_name_th,
        by_strategy.fiscal_year,
        by_strategy.strategy_code,
        case when by_strategy.strategy_code is not null then by_strategy.strategy_name_th end
            as strategy_name_th,
        by_strategy.cluster_codes,
        by_strategy.regional_codes,
        by_strategy.national_codes,
        by_strategy.n_projects,
        by_strategy.counted_thb as amount_thb,
        cast(
            case
                when district_year.counted_thb = 0 then null
                else by_strategy.counted_thb / district_year.counted_thb
            end as decimal(5, 4)
        ) as share_of_district
    from by_strategy
    inner join district_year
        on district_year.district_code = by_strategy.district_code
        and district_year.fiscal_year = by_strategy.fiscal_year
)

select * from final
order by district_code, fiscal_year, strategy_code nulls last
