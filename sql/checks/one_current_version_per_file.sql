-- At most one current version of each file: a resubmission supersedes its predecessor.
select district_code, source_file, count(*) as n_current
from submissions
where status = 'current'
group by district_code, source_file
having count(*) > 1
