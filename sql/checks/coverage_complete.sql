-- coverage has one row per tambon of areas (district-wide and province-wide rows aside).
select a.tambon_code
from areas as a
left join coverage as c on c.tambon_code = a.tambon_code
where c.tambon_code is null and a.area_level = 'tambon'
