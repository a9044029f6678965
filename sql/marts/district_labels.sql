-- How a person reads each district_code: a district is "อำเภอ<name>", the province's own plans
-- (district_code = the province's code) are the provincial plan, never a district.
-- Grain: one row per district_code of the areas (districts and the province itself).
create view district_labels as

with

area as (
    select * from areas
),

place as (
    select distinct
        area.district_code,
        area.district_name_th,
        bool_or(area.area_level = 'province') over (partition by area.district_code)
            as is_province
    from area
),

final as (
    select distinct
        place.district_code,
        place.district_name_th collate th as district_name_th,
        place.is_province,
        (case
            when place.is_province then place.district_name_th || ' (แผนระดับจังหวัด)'
            else 'อำเภอ' || place.district_name_th
        end) collate th as scope_name_th
    from place
)

select * from final
order by district_code
