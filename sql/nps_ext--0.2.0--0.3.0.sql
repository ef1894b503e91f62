-- nps_ext 0.2.0 -> 0.3.0, written by hand and reviewed like code. Run by
-- ALTER EXTENSION nps_ext UPDATE; tests/upgrade/upgrade.sh checks that the result equals a fresh
-- 0.3.0 install object for object, and that every stored nps_summary reads back identical.
--
-- Everything here runs with search_path = pg_catalog, @extschema@, pg_temp; what a hostile
-- schema could shadow is qualified.
\echo Use "ALTER EXTENSION nps_ext UPDATE TO '0.3.0'" to load this file. \quit

-- ==== shared by issues 18 and 19: named composite results ====
CREATE TYPE @extschema@.nps_interval AS (low numeric, high numeric);
COMMENT ON TYPE @extschema@.nps_interval IS 'An interval of NPS points: its low and high ends';

-- ==== issue 17: live summaries in production ====

-- ==== issue 18: every BI tool and driver ====

-- ==== issue 19: honest numbers for many small segments ====
