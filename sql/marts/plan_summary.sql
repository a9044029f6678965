-- Baht by district, fiscal year and funding route, counted once, with the written amount beside
-- it: the one place this total is computed (the workbook's summary sheet, the quality report,
-- the run summary, status and plan_by_route all read it). Rows with is_plan_total hold the
-- whole plan per year (district_code NULL). Grain: district (or the whole plan) x fiscal year.
create view plan_summary as

with

plan as (
    select * from oneplan
    where fiscal_year is not null
),

label as (
    select * from district_labels
),

totals as (
    select
        plan.district_code,
        plan.fiscal_year,
        grouping(plan.district_code) = 1 as is_plan_total,
        coalesce(sum(plan.counted_amount_thb) filter (where plan.funding_route = 'own'), 0)
            as own_thb,
        coalesce(sum(plan.counted_amount_thb) filter (where plan.funding_route = 'joint'), 0)
            as joint_thb,
        coalesce(sum(plan.counted_amount_thb) filter (where plan.funding_route = 'requested'), 0)
            as requested_thb,
        coalesce(sum(plan.counted_amount_thb) filter (
            where coalesce(plan.funding_route not in ('own', 'joint', 'requested'), true)
        ), 0) as unstated_thb,
        sum(plan.counted_amount_thb) as counted_thb,
        sum(plan.amount_thb) as written_thb,
        count(distinct plan.project_id) as n_projects,
        count(distinct plan.project_id) filter (where plan.is_counted) as n_counted_projects
    from plan
    group by grouping sets ((plan.district_code, plan.fiscal_year), (plan.fiscal_year))
),

final as (
    select
        totals.district_code,
        label.district_name_th,
        coalesce(label.scope_name_th, 'รวมทั้งแผน') as scope_name_th,
        totals.is_plan_total,
        totals.fiscal_year,
        totals.own_thb as own_thb,
        totals.joint_thb as joint_thb,
        totals.requested_thb as requested_thb,
        totals.unstated_thb as unstated_thb,
        totals.counted_thb as counted_thb,
        totals.written_thb as written_thb,
        totals.n_projects,
        totals.n_counted_projects
    from totals
    left join label on label.district_code = totals.district_code
)

select * from final
order by is_plan_total, district_code, fiscal_year
