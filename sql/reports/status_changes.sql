-- The changes of one publication ($1: its published_at), at most $2 of them.
with

change_log as (
    select * from project_changes
    where changed_at = $1
),

submission as (
    select * from submissions
),

final as (
    select
        change_log.change,
        submission.source_file,
        change_log.project_name,
        change_log.fiscal_year,
        change_log.old_amount_thb,
        change_log.new_amount_thb,
        change_log.old_tambon_code,
        change_log.tambon_code
    from change_log
    left join submission using (submission_id)
)

select * from final
order by change, source_file, project_name collate th
limit $2
