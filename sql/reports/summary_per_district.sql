-- The run summary: per district of the areas, current files, projects, rejected rows,
-- errors and warnings.
with

area as (
    select distinct district_code, district_name_th from areas
),

files as (
    select district_code, count(*) as n_files, sum(n_rows_rejected) as n_rejected
    from submissions
    where status = 'current'
    group by district_code
),

projects_n as (
    select district_code, count(*) as n_projects
    from projects
    group by district_code
),

issues_n as (
    select
        s.district_code,
        count(*) filter (where i.severity = 'error') as n_errors,
        count(*) filter (where i.severity = 'warning') as n_warnings
    from data_issues as i
    inner join submissions as s using (submission_id)
    group by s.district_code
),

final as (
    select
        area.district_code,
        area.district_name_th,
        coalesce(n_files, 0) as n_files,
        coalesce(n_projects, 0) as n_projects,
        coalesce(n_rejected, 0) as n_rejected,
        coalesce(n_errors, 0) as n_errors,
        coalesce(n_warnings, 0) as n_warnings
    from area
    left join files using (district_code)
    left join projects_n using (district_code)
    left join issues_n using (district_code)
)

select * from final
order by district_code
