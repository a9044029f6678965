-- The provincial One Plan: one row per project and fiscal year (a project with no amount in any
-- year is listed once, with fiscal_year and amount_thb NULL). amount_thb is what the plan says;
-- counted_amount_thb counts each baht once over all plan levels (the amount when the project
-- counts its money, projects.is_counted, else 0): sum(counted_amount_thb) is the plan's total.
-- Each project's alignment at every level: its provincial strategy's cluster, regional and
-- national strategies (the national one its file states wins).
-- Thai text compares and sorts in Thai dictionary order (collate th).
create view oneplan as

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

strategy as (
    select * from strategies
),

final as (
    select
        project.project_id,
        project.district_code,
        area.district_name_th collate th as district_name_th,
        project.tambon_code,
        area.tambon_name_th collate th as tambon_name_th,
        budget.fiscal_year,
        budget.amount_thb,
        (case
            when budget.amount_thb is null then null
            when project.is_counted then budget.amount_thb
            else 0
        end)::decimal(15, 2)
            as counted_amount_thb,
        project.village_numbers,
        project.project_name collate th as project_name,
        project.category collate th as category,
        project.objective,
        project.target,
        project.kpi,
        project.expected_result,
        project.responsible_agency collate th as responsible_agency,
        project.funding_route,
        project.funding_source_text,
        project.requested_from collate th as requested_from,
        project.strategy_code,
        project.strategy_source,
        project.national_strategy_code,
        project.national_strategy_text,
        project.provincial_strategy_text,
        project.local_strategy_text,
        project.tactic_text,
        project.development_area,
        project.responsible_agency_text,
        strategy.cluster_codes,
        strategy.regional_codes,
        case
            when project.national_strategy_code is not null then [project.national_strategy_code]
            else strategy.national_codes
        end as national_codes,
        project.source_file,
        project.source_sheet,
        project.source_row,
        project.plan_level,
        project.funded_at_level,
        project.is_counted
    from project
    left join budget on budget.project_id = project.project_id
    inner join area on area.tambon_code = project.tambon_code
    left join strategy on strategy.strategy_code = project.strategy_code
)

select * from final
order by district_code, tambon_code, project_name, project_id, fiscal_year nulls last
