-- Monthly NPS per plan from the daily summaries (rollup merges them exactly), its margin of
-- error at 95 %, and the change against the plan's previous month with answers: the difference
-- in points and nps_test's two-sided p-value.
{{ config(materialized='table') }}

with monthly as (
    select date_trunc('month', day)::date as month, plan, rollup(summary) as summary
    from {{ ref('daily_nps') }}
    group by 1, 2
), paired as (
    select monthly.*, lag(summary) over (partition by plan order by month) as previous
    from monthly
)
select month,
       plan,
       summary,
       nps_responses(summary) as responses,
       round(nps(summary), 2) as nps,
       round(nps_margin(summary)::numeric, 2) as margin,
       round(t.difference::numeric, 2) as change,
       round(t.p_value::numeric, 4) as p_value
from paired
left join lateral nps_test(summary, previous) t on true
