-- Each stored summary equals the summary of the source's answers of its day and plan (every
-- count 0..10, not only the total), and no (day, plan) appears twice.
with source as (
    select answered_at::date as day, plan, nps_agg(score) as summary
    from {{ ref('survey_answers') }}
    group by 1, 2
), model as (
    select day, plan, summary, count(*) over (partition by day, plan) as copies
    from {{ ref('daily_nps') }}
)
select day, plan, source.summary::text as expected, model.summary::text as stored, copies
from source full join model using (day, plan)
where source.summary is distinct from model.summary or copies <> 1
