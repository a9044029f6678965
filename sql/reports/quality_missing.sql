-- The quality report's tambons with no plan yet.
select district_code, tambon_code, tambon_name_th
from coverage
where not is_covered
order by tambon_code
