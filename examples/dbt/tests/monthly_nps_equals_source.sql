-- The monthly NPS from rolled-up daily summaries equals nps(score) over the month's answers.
with source as (
    select date_trunc('month', answered_at)::date as month, plan, round(nps(score), 2) as nps
    from {{ ref('survey_answers') }}
    group by 1, 2
)
select *
from source full join {{ ref('monthly_nps') }} m using (month, plan)
where source.nps is distinct from m.nps
