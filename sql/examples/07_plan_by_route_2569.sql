-- FY 2569 money by route per district: requested money is not the tambons' own budget.
select district_code, district_name_th, own_thb, joint_thb, requested_thb, unknown_thb
from plan_by_route
where fiscal_year = 2569
order by district_code
