-- What changed since the last publication: the changes recorded by the latest publication
-- (project_changes at its published_at), with the money: the written amount of a project added
-- (all its years, from this publication), the old and new amount of a budget changed.
-- Grain: one row per change of the latest publication.
create view publication_changes as

with

latest as (
    select max(published_at) as published_at from publications
),

change_log as (
    select project_changes.*
    from project_changes
    inner join latest on latest.published_at = project_changes.changed_at
),

budget as (
    select project_id, sum(amount_thb) as amount_thb
    from project_budgets
    group by all
),

label as (
    select * from district_labels
),

submission as (
    select * from submissions
),

final as (
    select
        change_log.changed_at,
        change_log.change,
        case change_log.change
            when 'added' then 'เพิ่ม'
            when 'removed' then 'ถอนออก'
            when 'budget_changed' then 'งบประมาณเปลี่ยน'
            when 'moved_tambon' then 'ย้ายตำบล'
            when 'details_changed' then 'รายละเอียดเปลี่ยน'
            when 'link_made' then 'เชื่อมโยงกับแผนระดับบน'
            when 'link_broken' then 'ยกเลิกการเชื่อมโยง'
            else change_log.change
        end as change_th,
        change_log.district_code,
        label.scope_name_th,
        change_log.tambon_code,
        change_log.project_id,
        change_log.project_name,
        change_log.fiscal_year,
        case
            when change_log.change = 'budget_changed' then change_log.old_amount_thb
        end as old_amount_thb,
        case
            when change_log.change = 'budget_changed' then change_log.new_amount_thb
            when change_log.change in ('added', 'moved_tambon') then budget.amount_thb
        end as new_amount_thb,
        submission.source_file
    from change_log
    left join budget on budget.project_id = change_log.project_id
    left join label on label.district_code = change_log.district_code
    left join submission on submission.submission_id = change_log.submission_id
)

select * from final
order by district_code, change, project_name, fiscal_year
