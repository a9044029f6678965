-- When the current files were (last) loaded.
select max(loaded_at) as loaded_at
from submissions
where status = 'current'
