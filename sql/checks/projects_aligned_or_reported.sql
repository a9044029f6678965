-- Every project has a provincial strategy, or an info issue strategy_unknown at its row.
with

project as (
    select * from projects
),

reported as (
    select distinct source_file, source_sheet, source_row
    from data_issues
    where code = 'strategy_unknown'
),

final as (
    select project.project_id, project.source_file, project.source_sheet, project.source_row
    from project
    left join reported
        on reported.source_file = project.source_file
        and reported.source_sheet = project.source_sheet
        and reported.source_row = project.source_row
    where project.strategy_code is null and reported.source_row is null
)

select * from final
