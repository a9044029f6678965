-- Districts published with a sharp fall of their accepted money (district_money_fell), with
-- the warning's message in Thai and English.
select
    issue.source_file as district_code,
    issue.message,
    issue.message_en
from data_issues as issue
where issue.code = 'district_money_fell'
order by issue.source_file
