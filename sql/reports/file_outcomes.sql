-- One row per current file: its rows by outcome and its issues by severity (the run's log).
with

submission as (
    select * from submissions
    where status = 'current'
),

district as (
    select distinct district_code, district_name_th from areas
),

issue_counts as (
    select
        submission_id,
        count(*) filter (where severity = 'error') as n_errors,
        count(*) filter (where severity = 'warning') as n_warnings,
        count(*) filter (where severity = 'info') as n_infos
    from data_issues
    where submission_id is not null
    group by submission_id
),

final as (
    select
        submission.district_code,
        district.district_name_th,
        submission.source_file,
        submission.n_rows_read,
        submission.n_rows_accepted,
        submission.n_rows_rejected,
        submission.n_rows_skipped,
        coalesce(issue_counts.n_errors, 0) as n_errors,
        coalesce(issue_counts.n_warnings, 0) as n_warnings,
        coalesce(issue_counts.n_infos, 0) as n_infos
    from submission
    left join district on district.district_code = submission.district_code
    left join issue_counts on issue_counts.submission_id = submission.submission_id
)

select * from final
order by district_code, source_file
