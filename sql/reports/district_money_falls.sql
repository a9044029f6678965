-- Districts whose accepted money fell by more than a share ($1, e.g. 0.5) from the previous
-- publication: one row per such district, with both totals (a district with no money now
-- counts as 0). Over the previous publication's tables (old_projects, old_budgets) and this
-- run's (new_projects, new_budgets).
with

old_money as (
    select project.district_code, sum(budget.amount_thb) as amount_thb
    from old_projects as project
    inner join old_budgets as budget on budget.project_id = project.project_id
    group by all
),

new_money as (
    select project.district_code, sum(budget.amount_thb) as amount_thb
    from new_projects as project
    inner join new_budgets as budget on budget.project_id = project.project_id
    group by all
),

final as (
    select
        old_money.district_code,
        old_money.amount_thb as old_amount_thb,
        coalesce(new_money.amount_thb, 0) as new_amount_thb
    from old_money
    left join new_money on new_money.district_code = old_money.district_code
    where
        old_money.amount_thb > 0
        and coalesce(new_money.amount_thb, 0)
        < old_money.amount_thb * (1 - cast($1 as decimal(9, 6)))
)

select * from final
order by district_code
