-- The project lists of the committee workbook and the district packs: one row per project of
-- the One Plan (every level, counted or not, with or without an amount), its section (ด้าน),
-- route, its amount per fiscal year as written, the written and counted totals, and whether its
-- money is counted here or in the plan that took it up. Grain: one row per project.
create view workbook_projects as

with

plan as (
    select * from oneplan
),

label as (
    select * from district_labels
),

link_up as (
    select
        link.project_id,
        min(target.plan_level) as counted_at_level,
        bool_or(link.link_kind = 'possible_duplicate') as is_duplicate
    from project_links as link
    inner join projects as target on target.project_id = link.linked_project_id
    where link.status = 'accepted'
    group by all
),

project as (
    select
        plan.project_id,
        any_value(plan.district_code) as district_code,
        any_value(plan.tambon_code) as tambon_code,
        any_value(plan.tambon_name_th) as tambon_name_th,
        any_value(plan.village_numbers) as village_numbers,
        any_value(plan.project_name) as project_name,
        any_value(plan.category) as category,
        any_value(plan.objective) as objective,
        any_value(plan.target) as target,
        any_value(plan.kpi) as kpi,
        any_value(plan.expected_result) as expected_result,
        any_value(plan.responsible_agency) as responsible_agency,
        any_value(plan.requested_from) as requested_from,
        any_value(plan.funding_route) as funding_route,
        any_value(plan.strategy_code) as strategy_code,
        any_value(plan.plan_level) as plan_level,
        any_value(plan.is_counted) as is_counted,
        any_value(plan.source_file) as source_file,
        any_value(plan.source_sheet) as source_sheet,
        any_value(plan.source_row) as source_row,
        list({'fiscal_year': plan.fiscal_year, 'amount_thb': plan.amount_thb}
            order by plan.fiscal_year) filter (where plan.fiscal_year is not null) as amounts,
        sum(plan.amount_thb) as written_thb,
        sum(plan.counted_amount_thb) as counted_thb
    from plan
    group by plan.project_id
),

final as (
    select
        project.project_id,
        project.district_code,
        label.scope_name_th,
        coalesce(nullif(trim(project.category), ''), 'ไม่ระบุด้าน') collate th as section_th,
        coalesce(project.funding_route, 'unstated') as route,
        case coalesce(project.funding_route, 'unstated')
            when 'own' then 'ทำเอง'
            when 'joint' then 'ทำร่วม'
            when 'requested' then 'ขอรับการสนับสนุน'
            else 'ไม่ระบุ'
        end as route_th,
        project.tambon_code,
        project.tambon_name_th,
        project.village_numbers,
        project.project_name,
        project.objective,
        project.target,
        project.kpi,
        project.expected_result,
        project.responsible_agency,
        project.requested_from,
        project.strategy_code,
        project.plan_level,
        case project.plan_level
            when 'village' then 'แผนชุมชน'
            when 'tambon' then 'แผนพัฒนาตำบล'
            when 'district' then 'แผนพัฒนาอำเภอ'
            when 'province' then 'แผนพัฒนาจังหวัด'
        end as plan_level_th,
        project.is_counted,
        case
            when project.written_thb is null then 'ไม่มีงบประมาณ'
            when project.is_counted then 'นับ'
            when link_up.is_duplicate then 'ไม่นับซ้ำ: ซ้ำกับอีกโครงการที่นับแล้ว'
            else 'ไม่นับซ้ำ: นับใน' || case link_up.counted_at_level
                when 'village' then 'แผนชุมชน'
                when 'tambon' then 'แผนพัฒนาตำบล'
                when 'district' then 'แผนพัฒนาอำเภอ'
                when 'province' then 'แผนพัฒนาจังหวัด'
                else 'โครงการที่เชื่อมโยง'
            end
        end as counted_note_th,
        coalesce(project.amounts, []) as amounts,
        project.written_thb,
        project.counted_thb,
        project.source_file,
        project.source_sheet,
        project.source_row
    from project
    left join label on label.district_code = project.district_code
    left join link_up on link_up.project_id = project.project_id
)

select * from final
-- sections in Thai order, projects with no section last
order by district_code, section_th = 'ไม่ระบุด้าน', section_th, tambon_code, project_name, project_id
