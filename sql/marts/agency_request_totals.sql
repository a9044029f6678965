-- The totals of the requests sent to each agency, counted once (built on agency_request_list):
-- per agency asked, district (NULL = every district) and fiscal year (NULL = all years).
-- Grain: agency (NULL = none named) x district-or-all x year-or-all.
create view agency_request_totals as

with

request as (
    select * from agency_request_list
),

totals as (
    select
        request.requested_from,
        request.district_code,
        request.fiscal_year,
        grouping(request.district_code) = 1 as is_all_districts,
        grouping(request.fiscal_year) = 1 as is_all_years,
        count(distinct request.project_id) as n_projects,
        sum(request.amount_thb) as amount_thb
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
