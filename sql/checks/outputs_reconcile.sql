-- The marts the outputs render agree with each other to the baht: per district and fiscal year
-- (and for the whole plan) the workbook's district totals, the strategy totals and the
-- plan_summary carry the same counted and written money; the request totals over all districts
-- and years are the sums of their district and year rows.
with

summary as (
    select district_code, fiscal_year, counted_thb, written_thb
    from plan_summary
    where not is_plan_total
),

plan_total as (
    select fiscal_year, counted_thb, written_thb
    from plan_summary
    where is_plan_total
),

workbook as (
    select district_code, fiscal_year, counted_thb, written_thb
    from workbook_totals
    where is_all_sections and is_all_routes and not is_all_years
),

strategy as (
    select district_code, fiscal_year, sum(counted_thb) as counted_thb,
        sum(written_thb) as written_thb
    from strategy_summary
    where not is_plan_total
    group by all
),

strategy_total as (
    select fiscal_year, sum(counted_thb) as counted_thb, sum(written_thb) as written_thb
    from strategy_summary
    where is_plan_total
    group by all
),

summed as (
    select fiscal_year, sum(counted_thb) as counted_thb, sum(written_thb) as written_thb
    from summary
    group by all
),

request_cells as (
    select requested_from, sum(amount_thb) as amount_thb
    from agency_request_totals
    where not is_all_districts and not is_all_years
    group by all
),

request_all as (
    select requested_from, amount_thb
    from agency_request_totals
    where is_all_districts and is_all_years
),

district_mismatch as (
    select 'district totals differ' as problem, district_code, fiscal_year
    from summary
    full outer join workbook using (district_code, fiscal_year)
    full outer join strategy using (district_code, fiscal_year)
    where summary.counted_thb is distinct from workbook.counted_thb
        or summary.written_thb is distinct from workbook.written_thb
        or summary.counted_thb is distinct from strategy.counted_thb
        or summary.written_thb is distinct from strategy.written_thb
),

plan_mismatch as (
    select 'plan totals differ' as problem, null as district_code, fiscal_year
    from plan_total
    full outer join summed using (fiscal_year)
    full outer join strategy_total using (fiscal_year)
    where plan_total.counted_thb is distinct from summed.counted_thb
        or plan_total.written_thb is distinct from summed.written_thb
        or plan_total.counted_thb is distinct from strategy_total.counted_thb
),

request_mismatch as (
    select 'request totals differ' as problem,
        coalesce(request_cells.requested_from, request_all.requested_from) as district_code,
        null::integer as fiscal_year
    from request_cells
    full outer join request_all
        on request_all.requested_from is not distinct from request_cells.requested_from
    where request_cells.amount_thb is distinct from request_all.amount_thb
),

final as (
    select * from district_mismatch
    union all
    select * from plan_mismatch
    union all
    select * from request_mismatch
)

select * from final
