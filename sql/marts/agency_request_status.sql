-- ก.บ.จ.: what the plans below the province request of each agency (ขอรับการสนับสนุน), split
-- into taken up (a plan above has taken the project in: an accepted rolls_up_to link) and still
-- waiting (no plan above has it yet: the list to act on). Each request once: a duplicate copy
-- (an accepted possible_duplicate) is left out. Grain: agency asked (NULL = none named) x
-- district (NULL = every district) x fiscal year (NULL = all years).
create view agency_request_status as

with

plan as (
    select * from oneplan
    where funding_route = 'requested'
        and plan_level <> 'province'
        and fiscal_year is not null
),

taken as (
    select distinct project_id
    from project_links
    where link_kind = 'rolls_up_to' and status = 'accepted'
),

request as (
    select
        plan.*,
        taken.project_id is not null as is_taken_up
    from plan
    left join taken on taken.project_id = plan.project_id
    where plan.is_counted or taken.project_id is not null
),

totals as (
    select
        request.requested_from,
        request.district_code,
        request.fiscal_year,
        grouping(request.district_code) = 1 as is_all_districts,
        grouping(request.fiscal_year) = 1 as is_all_years,
        count(distinct request.project_id) as n_requests,
        sum(request.amount_thb) as requested_thb,
        count(distinct request.project_id) filter (where request.is_taken_up) as n_taken_up,
        coalesce(sum(request.amount_thb) filter (where request.is_taken_up), 0)
            as taken_up_thb,
        count(distinct request.project_id) filter (where not request.is_taken_up) as n_waiting,
        coalesce(sum(request.amount_thb) filter (where not request.is_taken_up), 0)
            as waiting_thb
    from request
    group by request.requested_from, cube(request.district_code, request.fiscal_year)
),

final as (
    select
        totals.*,
        coalesce(totals.requested_from, 'ไม่ระบุหน่วยงาน') collate th as agency_th
    from totals
)

select * from final
order by requested_from nulls last, is_all_districts, district_code, is_all_years, fiscal_year
