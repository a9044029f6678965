-- Every rejected row of one district's files, findable by file, sheet and row.
select source_file, source_sheet, source_row, reasons
from rejected_rows
where source_file like 'Wat Sing/%'
order by source_file, source_sheet, source_row
