-- Own, joint, requested and unknown money kept apart: requested money is another agency's,
-- never the tambons' own budget. Money counted once: the district rows of plan_summary (the one
-- place baht by district, year and route is computed), so it reconciles with plan_rollup.
-- Grain: district x fiscal year.
create view plan_by_route as

with

summary as (
    select * from plan_summary
    where not is_plan_total
),

final as (
    select
        summary.district_code,
        summary.district_name_th,
        summary.fiscal_year,
        summary.own_thb,
        summary.joint_thb,
        summary.requested_thb,
        summary.unstated_thb as unknown_thb,
        summary.n_counted_projects as n_projects
    from summary
    where summary.n_counted_projects > 0
)

select * from final
order by district_code, fiscal_year
