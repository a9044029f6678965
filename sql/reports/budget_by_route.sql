-- Baht per district, fiscal year and funding route (own / joint / requested; unstated when
-- the file did not say), from the oneplan view.
with

plan as (
    select * from oneplan
),

final as (
    select
        plan.district_code,
        plan.fiscal_year,
        coalesce(plan.funding_route, 'unstated') as funding_route,
        sum(plan.amount_thb) as amount_thb,
        count(distinct plan.project_id) as n_projects
    from plan
    group by all
)

select * from final
order by district_code, fiscal_year, funding_route
