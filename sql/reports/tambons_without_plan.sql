-- The tambons no accepted project covers yet, one row per tambon, for the workbook's
-- "ตำบลที่ยังไม่มีแผน" sheet.
with

coverage_row as (
    select * from coverage
),

final as (
    select
        coverage_row.district_code,
        coverage_row.district_name_th,
        coverage_row.tambon_code,
        coverage_row.tambon_name_th
    from coverage_row
    where not coverage_row.is_covered
)

select * from final
order by tambon_code
