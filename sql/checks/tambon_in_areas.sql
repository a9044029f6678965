-- Every project sits in an official tambon of its own district.
select p.project_id, p.district_code, p.tambon_code
from projects as p
left join areas as a on a.tambon_code = p.tambon_code
where a.tambon_code is null or a.district_code <> p.district_code
