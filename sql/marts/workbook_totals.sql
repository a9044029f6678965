-- The total rows of the workbook's district sheets: per district, section (ด้าน; NULL = every
-- section), funding route (NULL = every route) and fiscal year (NULL = all years), the money
-- counted once and as written, and the number of projects (with or without an amount).
-- Grain: district x section-or-all x route-or-all x year-or-all.
create view workbook_totals as

with

plan as (
    select
        oneplan.*,
        coalesce(nullif(trim(oneplan.category), ''), 'ไม่ระบุด้าน') as section_th,
        coalesce(oneplan.funding_route, 'unstated') as route
    from oneplan
),

totals as (
    select
        plan.district_code,
        plan.section_th,
        plan.route,
        plan.fiscal_year,
        grouping(plan.section_th) = 1 as is_all_sections,
        grouping(plan.route) = 1 as is_all_routes,
        grouping(plan.fiscal_year) = 1 as is_all_years,
        coalesce(sum(plan.counted_amount_thb), 0) as counted_thb,
        coalesce(sum(plan.amount_thb), 0) as written_thb,
        count(distinct plan.project_id) as n_projects
    from plan
    group by plan.district_code, cube(plan.section_th, plan.route, plan.fiscal_year)
),

final as (
    select * from totals
    -- the rows of projects with no amount in any year have no year to total
    where is_all_years or fiscal_year is not null
)

select * from final
order by district_code, is_all_sections, section_th, is_all_routes, route, is_all_years,
    fiscal_year
