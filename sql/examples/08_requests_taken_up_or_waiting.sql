-- ก.บ.จ.: per district, what tambon plans request of other agencies (ขอรับการสนับสนุน), how much
-- a district or provincial plan has taken up, and what is still waiting (the list to act on).
select district_name_th, sum(n_projects) as n_project_years,
    sum(amount_thb) as requested_thb, sum(taken_up_amount_thb) as taken_up_thb,
    sum(waiting_amount_thb) as waiting_thb
from plan_rollup
where plan_level = 'tambon' and funding_route = 'requested'
group by all
order by district_name_th
