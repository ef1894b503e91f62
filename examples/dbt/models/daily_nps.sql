-- One nps_summary per day and plan, kept exact as answers arrive, however late.
--
-- Each run finds the (day, plan) pairs that received answers since the last run (by loaded_at,
-- not by answered_at, so a late answer for an old day is found) and recomputes those days from
-- the source; delete+insert then replaces exactly those rows. Recomputing a day is idempotent:
-- a row counted twice or a run repeated cannot double-count, and the >= on the watermark may
-- safely recompute the last batch's days once more. (Merging with `+` would be exact too, but a
-- batch applied twice would be counted twice.) delete+insert works on PostgreSQL 14; 'merge'
-- needs 15+.
{{ config(
    materialized='incremental',
    unique_key=['day', 'plan'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}

with answers as (
    select answered_at::date as day, plan, score, weight, loaded_at
    from {{ ref('survey_answers') }}
)
{% if is_incremental() %}
, touched as (
    select distinct day, plan
    from answers
    where loaded_at >= (select max(loaded_through) from {{ this }})
)
{% endif %}
select day,
       plan,
       nps_agg(score) as summary,
       max(loaded_at) as loaded_through
from answers
{% if is_incremental() %}
where (day, plan) in (select day, plan from touched)
{% endif %}
group by day, plan
