-- Every issue of the current files, one row per issue, in the order a district reads them:
-- district, severity (errors first), file, sheet, row.
with

issue as (
    select * from data_issues
),

submission as (
    select * from submissions
    where status = 'current'
),

final as (
    select
        submission.district_code,
        issue.source_file,
        issue.source_sheet,
        issue.source_row,
        issue.column_name,
        issue.cell,
        issue.severity,
        issue.code,
        issue.raw_value,
        issue.expected_value
    from issue
    inner join submission on submission.submission_id = issue.submission_id
)

select * from final
order by
    district_code,
    case severity when 'error' then 0 when 'warning' then 1 else 2 end,
    source_file,
    source_sheet,
    source_row nulls first,
    cell
