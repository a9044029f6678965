-- Per district of the areas: current files, the latest file's time, and projects.
with

district as (
    select distinct district_code, district_name_th from areas
),

submission as (
    select * from submissions
    where status = 'current'
),

final as (
    select
        district.district_code,
        district.district_name_th,
        count(distinct submission.submission_id) as n_files,
        max(submission.file_modified_at) as latest_file_at,
        (select count(*) from projects as p where p.district_code = district.district_code)
            as n_projects
    from district
    left join submission on submission.district_code = district.district_code
    group by all
)

select * from final
order by district_code
