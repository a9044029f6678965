-- Requests per agency asked: requested and joint projects and their money, counted once
-- (built on agency_request_list, which keeps only counted projects).
-- Grain: agency asked (NULL = none named) x district x fiscal year.
create view agency_requests as

with

request as (
    select * from agency_request_list
),

final as (
    select
        request.requested_from,
        request.district_code,
        request.district_name_th,
        request.fiscal_year,
        count(distinct request.project_id) as n_projects,
        sum(request.amount_thb) as amount_thb
    from request
    group by all
)

select * from final
order by requested_from nulls last, district_code, fiscal_year
