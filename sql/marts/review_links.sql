-- The links a person must decide (project_links with status review): the two projects side by
-- side, where each was read and what each plan writes for it. Grain: one row per link in review.
create view review_links as

with

link as (
    select * from project_links
    where status = 'review'
),

project as (
    select * from workbook_projects
),

final as (
    select
        link.link_id,
        link.link_kind,
        case link.link_kind
            when 'rolls_up_to' then 'โครงการเดียวกันในแผนระดับบน?'
            else 'โครงการซ้ำกัน?'
        end as question_th,
        link.score,
        a.district_code,
        a.scope_name_th,
        a.plan_level,
        a.tambon_name_th,
        a.project_name,
        a.written_thb,
        a.source_file,
        a.source_row,
        b.district_code as linked_district_code,
        b.scope_name_th as linked_scope_name_th,
        b.plan_level as linked_plan_level,
        b.tambon_name_th as linked_tambon_name_th,
        b.project_name as linked_project_name,
        b.written_thb as linked_written_thb,
        b.source_file as linked_source_file,
        b.source_row as linked_source_row
    from link
    inner join project as a on a.project_id = link.project_id
    inner join project as b on b.project_id = link.linked_project_id
)

select * from final
order by district_code, score desc, link_id
