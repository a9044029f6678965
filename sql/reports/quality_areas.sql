-- The quality report's districts and tambons, from the official areas.
select district_code, district_name_th, district_name_en, tambon_code, area_level
from areas
order by tambon_code
