-- Money per provincial strategy, counted once, with the written amount beside it, per district
-- and for the whole plan (district_code NULL): the committee's strategy sheet and
-- plan_by_strategy read it. Grain: district-or-all x provincial strategy (NULL = not aligned)
-- x fiscal year.
create view strategy_summary as

with

plan as (
    select * from oneplan
    where fiscal_year is not null
),

strategy as (
    select * from strategies
    where level = 'provincial'
),

totals as (
    select
        plan.district_code,
        plan.strategy_code,
        plan.fiscal_year,
        grouping(plan.district_code) = 1 as is_plan_total,
        count(distinct plan.project_id) filter (where plan.is_counted) as n_projects,
        coalesce(sum(plan.counted_amount_thb), 0) as counted_thb,
        sum(plan.amount_thb) as written_thb
    from plan
    group by grouping sets (
        (plan.district_code, plan.strategy_code, plan.fiscal_year),
        (plan.strategy_code, plan.fiscal_year)
    )
),

final as (
    select
        totals.district_code,
        totals.is_plan_total,
        totals.strategy_code,
        coalesce(strategy.name_th, 'ยังไม่ระบุยุทธศาสตร์จังหวัด') collate th as strategy_name_th,
        strategy.cluster_codes,
        strategy.regional_codes,
        strategy.national_codes,
        totals.fiscal_year,
        totals.n_projects,
        totals.counted_thb,
        totals.written_thb
    from totals
    left join strategy on strategy.strategy_code = totals.strategy_code
)

select * from final
order by is_plan_total, district_code, strategy_code nulls last, fiscal_year
