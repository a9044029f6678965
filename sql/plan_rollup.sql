-- Plans across levels, money counted once: one row per plan level, place, fiscal year and
-- funding route. amount_thb is what the plans of that level say; counted_amount_thb counts
-- each baht once over all levels (at the project that counts it, see projects.is_counted);
-- taken_up = projects a plan above has taken in (an accepted rolls_up_to link); waiting =
-- requests (ขอรับการสนับสนุน) no plan above has taken up yet.
create view plan_rollup as

with

project as (
    select * from projects
),

budget as (
    select * from project_budgets
),

area as (
    select * from areas
),

link_up as (
    select distinct project_id
    from project_links
    where link_kind = 'rolls_up_to' and status = 'accepted'
),

project_year as (
    select
        project.plan_level,
        project.district_code,
        project.tambon_code as place_code,
        project.funding_route,
        project.is_counted,
        link_up.project_id is not null as is_taken_up,
        budget.fiscal_year,
        budget.amount_thb
    from budget
    inner join project on project.project_id = budget.project_id
    left join link_up on link_up.project_id = project.project_id
),

rolled as (
    select
        plan_level,
        district_code,
        place_code,
        fiscal_year,
        funding_route,
        count(*) as n_projects,
        sum(amount_thb) as amount_thb,
        count(*) filter (where is_counted) as n_counted,
        coalesce(sum(amount_thb) filter (where is_counted), 0) as counted_amount_thb,
        count(*) filter (where is_taken_up) as n_taken_up,
        coalesce(sum(amount_thb) filter (where is_taken_up), 0) as taken_up_amount_thb,
        count(*) filter (
            where funding_route = 'requested' and not is_taken_up and plan_level <> 'province'
        ) as n_waiting,
        coalesce(sum(amount_thb) filter (
            where funding_route = 'requested' and not is_taken_up and plan_level <> 'province'
        ), 0) as waiting_amount_thb
    from project_year
    group by all
),

final as (
    select
        rolled.plan_level,
        rolled.district_code,
        district.district_name_th collate th as district_name_th,
        rolled.place_code,
        area.tambon_name_th collate th as place_name_th,
        rolled.fiscal_year,
        rolled.funding_route,
        rolled.n_projects::integer as n_projects,
        rolled.amount_thb::decimal(18, 2) as amount_thb,
        rolled.n_counted::integer as n_counted,
        rolled.counted_amount_thb::decimal(18, 2) as counted_amount_thb,
        rolled.n_taken_up::integer as n_taken_up,
        rolled.taken_up_amount_thb::decimal(18, 2) as taken_up_amount_thb,
        rolled.n_waiting::integer as n_waiting,
        rolled.waiting_amount_thb::decimal(18, 2) as waiting_amount_thb
    from rolled
    inner join area on area.tambon_code = rolled.place_code
    inner join area as district on district.tambon_code = rolled.district_code
)

select * from final
order by
    list_position(['province', 'district', 'tambon', 'village'], plan_level),
    district_code, place_code, fiscal_year, funding_route nulls first
