-- The submission register: one row per tambon of the province, covered or not.
insert into coverage

with

area as (
    select * from areas
    where area_level = 'tambon'
),

project as (
    select * from projects
),

budget as (
    select * from project_budgets
),

submission as (
    select * from submissions
    where status = 'current'
),

tambon_projects as (
    select
        project.tambon_code,
        count(*) as n_projects,
        list(distinct project.source_file order by project.source_file) as source_files
    from project
    group by project.tambon_code
),

tambon_budgets as (
    select
        project.tambon_code,
        list(distinct budget.fiscal_year order by budget.fiscal_year) as fiscal_years,
        sum(budget.amount_thb) as total_amount_thb
    from budget
    inner join project on project.project_id = budget.project_id
    group by project.tambon_code
),

district_files as (
    select
        submission.district_code,
        max(submission.file_modified_at) as district_latest_file_at
    from submission
    group by submission.district_code
),

final as (
    select
        area.district_code,
        area.district_name_th,
        area.tambon_code,
        area.tambon_name_th,
        coalesce(tambon_projects.n_projects, 0) > 0 as is_covered,
        coalesce(tambon_projects.n_projects, 0) as n_projects,
        coalesce(tambon_projects.source_files, []) as source_files,
        coalesce(tambon_budgets.fiscal_years, []) as fiscal_years,
        coalesce(tambon_budgets.total_amount_thb, 0) as total_amount_thb,
        district_files.district_latest_file_at
    from area
    left join tambon_projects on tambon_projects.tambon_code = area.tambon_code
    left join tambon_budgets on tambon_budgets.tambon_code = area.tambon_code
    left join district_files on district_files.district_code = area.district_code
)

select * from final
order by tambon_code
