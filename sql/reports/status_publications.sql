-- The latest two publications, newest first.
select published_at, n_submissions, n_files_parsed, n_files_reused, n_projects, n_changes
from publications
order by published_at desc
limit 2
