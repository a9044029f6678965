-- What the province sends each agency: every requested or joint project, one row per fiscal year,
-- counted once (a request taken up by a plan above, or a duplicate copy, is listed at the project
-- that counts it: oneplan.is_counted). Grain: counted requested or joint project x fiscal year.
create view agency_request_list as

with

plan as (
    select * from oneplan
    where is_counted and funding_route in ('requested', 'joint') and fiscal_year is not null
),

final as (
    select
        plan.requested_from collate th as requested_from,
        plan.district_code,
        plan.district_name_th,
        plan.fiscal_year,
        plan.tambon_code,
        plan.tambon_name_th,
        plan.village_numbers,
        plan.project_id,
        plan.project_name,
        plan.funding_route,
        plan.funding_source_text,
        plan.amount_thb,
        plan.source_file,
        plan.source_row
    from plan
)

select * from final
order by requested_from nulls last, district_code, fiscal_year, tambon_code, project_name
