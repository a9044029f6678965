-- oneplan_as_of(as_of): the plan as it stood at a publication, one row per project and fiscal
-- year (a project without a budget then has one row with NULL fiscal_year and amount), every
-- column of projects. `as_of` is a publications.published_at (or any time: the publication in
-- force then). Read from project_history and budget_history, the versions each publication
-- carries on (transforms/history.py carry_versions).
--   from oneplan_as_of((select min(published_at) from publications))
create or replace macro oneplan_as_of(as_of) as table
with
projects_then as (
    select * exclude (valid_from, valid_to)
    from project_history
    where valid_from <= as_of and (valid_to is null or valid_to > as_of)
),

budgets_then as (
    select project_id, fiscal_year, amount_thb
    from budget_history
    where valid_from <= as_of and (valid_to is null or valid_to > as_of)
),

final as (
    select p.*, b.fiscal_year, b.amount_thb
    from projects_then as p
    left join budgets_then as b on b.project_id = p.project_id
)

select * from final
