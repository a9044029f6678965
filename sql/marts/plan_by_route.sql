-- Own, joint, requested and unknown money kept apart: requested money is another agency's,
-- never the tambons' own budget. Money counted once: only projects the One Plan counts
-- (oneplan.is_counted), so the mart reconciles with plan_rollup. Grain: district x fiscal year.
create view plan_by_route as

with

plan as (
    select * from oneplan
    where is_counted
),

final as (
    select
        plan.district_code,
        plan.district_name_th,
        plan.fiscal_year,
        coalesce(sum(plan.amount_thb) filter (where plan.funding_route = 'own'), 0) as own_thb,
        coalesce(sum(plan.amount_thb) filter (where plan.funding_route = 'joint'), 0) as joint_thb,
        coalesce(sum(plan.amount_thb) filter (where plan.funding_route = 'requested'), 0)
            as requested_thb,
        coalesce(sum(plan.amount_thb) filter (where plan.funding_route is null), 0) as unknown_thb,
        count(distinct plan.project_id) as n_projects
    from plan
    group by all
)

select * from final
order by district_code, fiscal_year
