-- Daily responses equal count(score) of the source for every day and plan: no late answer
-- lost, none counted twice.
with source as (
    select answered_at::date as day, plan, count(score) as responses
    from {{ ref('survey_answers') }}
    group by 1, 2
), model as (
    select day, plan, nps_responses(summary) as responses
    from {{ ref('daily_nps') }}
)
select *
from source full join model using (day, plan)
where source.responses is distinct from model.responses
