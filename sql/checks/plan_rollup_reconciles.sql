-- plan_rollup reconciles with project_budgets: per district and fiscal year it carries every
-- baht as written, and counts every baht once: the counted money is the budgets of the
-- projects with no accepted link (rolls_up_to or possible_duplicate) to a published project,
-- and every accepted link leads, link after link, to a counted project.
with

rollup_totals as (
    select district_code, fiscal_year,
        sum(amount_thb) as amount_thb, sum(counted_amount_thb) as counted_amount_thb
    from plan_rollup
    group by all
),

linked as (
    select distinct link.project_id
    from project_links as link
    inner join projects as target on target.project_id = link.linked_project_id
    where link.status = 'accepted'
),

table_totals as (
    select p.district_code, b.fiscal_year,
        sum(b.amount_thb) as amount_thb,
        coalesce(sum(b.amount_thb) filter (where linked.project_id is null), 0)
            as counted_amount_thb
    from project_budgets as b
    inner join projects as p on p.project_id = b.project_id
    left join linked on linked.project_id = p.project_id
    group by all
),

flag_mismatch as (
    select p.project_id, p.district_code, null::integer as fiscal_year,
        'is_counted disagrees with project_links' as problem
    from projects as p
    left join linked on linked.project_id = p.project_id
    where p.is_counted <> (linked.project_id is null)
),

dangling as (
    select link.project_id, null as district_code, null::integer as fiscal_year,
        'accepted link to or from a project that is not published' as problem
    from project_links as link
    left join projects as source on source.project_id = link.project_id
    left join projects as target on target.project_id = link.linked_project_id
    where link.status = 'accepted' and (source.project_id is null or target.project_id is null)
),

totals_mismatch as (
    select null as project_id, district_code, fiscal_year,
        'plan_rollup totals differ from project_budgets' as problem
    from rollup_totals
    full outer join table_totals using (district_code, fiscal_year)
    where rollup_totals.amount_thb is distinct from table_totals.amount_thb
        or rollup_totals.counted_amount_thb is distinct from table_totals.counted_amount_thb
),

final as (
    select * from flag_mismatch
    union all
    select * from dangling
    union all
    select * from totals_mismatch
)

select * from final
