-- A segment report over the last 30 days of raw answers: NPS, margin, weighted NPS.
\set day random(30, 364)
SELECT plan, nps(score), nps_margin(nps_agg(score)), nps(score, weight), nps_responses(nps_agg(score))
FROM answers WHERE day BETWEEN date '2026-01-01' + :day - 30 AND date '2026-01-01' + :day
GROUP BY plan;
