-- The list the province sends the อบจ.: one row per requested project and year, with its place.
select district_name_th, tambon_name_th, village_numbers, project_name[:35] as project_name,
    fiscal_year, amount_thb
from agency_request_list
where requested_from = 'องค์การบริหารส่วนจังหวัดชัยนาท' and fiscal_year = 2569
order by district_name_th, tambon_name_th, project_name
