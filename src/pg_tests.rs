//! Behaviour that needs a backend: parallel plans, window frames and error codes.
//! Expected values come from the hand-written SQL recipe or from arithmetic done here in Rust,
//! never from the extension itself.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    /// Runs `query` and returns `SQLSTATE: message` of the error it raises, or "no error".
    fn error_of(query: &str) -> String {
        Spi::run(
            "CREATE OR REPLACE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
             BEGIN EXECUTE q; RETURN 'no error';
             EXCEPTION WHEN others THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$",
        )
        .unwrap();
        Spi::get_one_with_args::<String>("SELECT pg_temp.error_of($1)", &[query.into()])
            .unwrap()
            .unwrap()
    }

    fn text(query: &str) -> String {
        Spi::get_one::<String>(query)
            .unwrap()
            .unwrap_or_else(|| "NULL".into())
    }

    /// Make the planner choose two parallel workers whenever it can (for this transaction).
    fn force_parallel_plans() {
        Spi::run(
            "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
             SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2;
             SET LOCAL parallel_leader_participation = off",
        )
        .unwrap();
    }

    /// The plan of `query` as executed, one line per plan line.
    fn explain_analyze(query: &str) -> String {
        Spi::connect(|client| {
            client
                .select(&format!("EXPLAIN (ANALYZE, COSTS OFF) {query}"), None, &[])
                .unwrap()
                .map(|row| row.get::<String>(1).unwrap().unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    /// A deterministic table of answers with NULLs: score = (g * 7) % 11, NULL when g % 13 = 0.
    fn make_answers(rows: i64) {
        Spi::run(&format!(
            "CREATE TABLE answers AS
             SELECT g, date '2026-01-01' + (g / 10)::int AS day,
                    CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7) % 11 END::int AS score
             FROM generate_series(1, {rows}) g"
        ))
        .unwrap();
    }

    /// The same NPS computed in Rust from the generating formula.
    fn expected_nps(rows: i64) -> f64 {
        let (mut p, mut d, mut n) = (0i64, 0i64, 0i64);
        for g in (1..=rows).filter(|g| g % 13 != 0) {
            let s = (g * 7) % 11;
            n += 1;
            p += (s >= 9) as i64;
            d += (s <= 6) as i64;
        }
        100.0 * (p - d) as f64 / n as f64
    }

    #[pg_test]
    fn seed_example_for_every_input_type() {
        Spi::run(
            "CREATE TABLE seed AS SELECT CASE WHEN g <= 110 THEN 9 WHEN g <= 170 THEN 8 ELSE 6 END AS s
             FROM generate_series(1, 200) g",
        )
        .unwrap();
        for ty in ["smallint", "integer", "bigint", "numeric"] {
            let got = text(&format!("SELECT nps(s::{ty})::text FROM seed"));
            assert_eq!(got, "40.0000000000000000", "nps over {ty}");
        }
    }

    #[pg_test]
    fn nulls_are_not_responses_and_empty_groups_are_null() {
        // 1 promoter, 1 detractor, 2 NULLs: NPS 0 over 2 responses, not over 4.
        // Displayed the way avg(int) displays a zero mean (numeric division picks the scale).
        assert_eq!(
            text("SELECT nps(s)::text FROM (VALUES (10), (NULL), (0), (NULL)) v(s)"),
            text("SELECT avg(x)::text FROM (VALUES (0), (0)) v(x)")
        );
        assert_eq!(
            text("SELECT (nps(s) = 0)::text FROM (VALUES (10), (NULL), (0), (NULL)) v(s)"),
            "true"
        );
        assert_eq!(
            text("SELECT nps(s)::text FROM (VALUES (NULL::int)) v(s)"),
            "NULL"
        );
        assert_eq!(
            text("SELECT nps(s)::text FROM (VALUES (1)) v(s) WHERE false"),
            "NULL"
        );
    }

    #[pg_test]
    fn parallel_plan_gives_the_serial_result() {
        make_answers(300_000);
        Spi::run("ANALYZE answers").unwrap();
        let serial = text("SELECT nps(score)::text FROM answers");
        force_parallel_plans();
        let plan = explain_analyze("SELECT nps(score) FROM answers");
        assert!(
            plan.contains("Partial Aggregate"),
            "no partial aggregation in:\n{plan}"
        );
        assert!(
            plan.contains("Workers Launched: 2"),
            "workers did not run:\n{plan}"
        );
        let parallel = text("SELECT nps(score)::text FROM answers");
        assert_eq!(parallel, serial);
        let value = Spi::get_one::<f64>("SELECT nps(score)::float8 FROM answers")
            .unwrap()
            .unwrap();
        assert!((value - expected_nps(300_000)).abs() < 1e-12, "{value}");
        // Grouped and parallel, against the FILTER recipe.
        let mismatches = Spi::get_one::<i64>(
            "SELECT count(*) FROM (
               SELECT g % 7 AS k, nps(score) AS got,
                      100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
                            / count(score) AS want
               FROM answers GROUP BY 1) t WHERE got IS DISTINCT FROM want",
        );
        assert_eq!(mismatches, Ok(Some(0)));
    }

    #[pg_test]
    fn every_window_frame_matches_recomputation() {
        make_answers(3000);
        for frame in [
            "ORDER BY g ROWS 100 PRECEDING",
            "ORDER BY g ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING",
            "ORDER BY day RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW",
            "PARTITION BY g % 3 ORDER BY g ROWS UNBOUNDED PRECEDING",
            "ORDER BY g ROWS BETWEEN 20 PRECEDING AND 10 PRECEDING",
        ] {
            let mismatches = Spi::get_one::<i64>(&format!(
                "SELECT count(*) FROM (
                   SELECT nps(score) OVER w AS got,
                          100.0 * (count(*) FILTER (WHERE score >= 9) OVER w
                                   - count(*) FILTER (WHERE score <= 6) OVER w)
                                / nullif(count(score) OVER w, 0) AS want
                   FROM answers WINDOW w AS ({frame})) t
                 WHERE got IS DISTINCT FROM want"
            ));
            assert_eq!(mismatches, Ok(Some(0)), "frame {frame}");
        }
    }

    #[pg_test]
    fn bad_answers_are_class_22_errors() {
        let cases = [
            ("SELECT nps(11)", "22003: NPS answer 11 is out of range"),
            ("SELECT nps(-1)", "22003: NPS answer -1 is out of range"),
            ("SELECT nps(32767::smallint)", "22003: NPS answer 32767 is out of range"),
            ("SELECT nps(9223372036854775807)", "22003: NPS answer 9223372036854775807 is out of range"),
            ("SELECT nps(9.5)", "22023: NPS answer 9.5 is not a whole number"),
            ("SELECT nps('NaN'::numeric)", "22023: NPS answer NaN is not a number"),
            ("SELECT nps('-Infinity'::numeric)", "22003: NPS answer -Infinity is out of range"),
            ("SELECT nps_category(11)", "22003: NPS answer 11 is out of range"),
            ("SELECT nps_category(6.5)", "22023: NPS answer 6.5 is not a whole number"),
            (
                "SELECT nps(s) OVER (ORDER BY g ROWS 1 PRECEDING) FROM (VALUES (1, 9), (2, 10), (3, 12)) v(g, s)",
                "22003: NPS answer 12 is out of range",
            ),
        ];
        for (query, want) in cases {
            assert_eq!(error_of(query), want, "{query}");
        }
        // Whole numerics are fine, whatever their scale.
        assert_eq!(error_of("SELECT nps(10.000)"), "no error");
    }

    #[pg_test]
    fn category_boundaries() {
        let got = text(
            "SELECT string_agg(s || '=' || nps_category(s), ' ' ORDER BY s) FROM generate_series(0, 10) s",
        );
        assert_eq!(
            got,
            "0=detractor 1=detractor 2=detractor 3=detractor 4=detractor 5=detractor 6=detractor \
             7=passive 8=passive 9=promoter 10=promoter"
        );
        assert_eq!(text("SELECT (nps_category(6) < nps_category(7) AND nps_category(8) < nps_category(9))::text"), "true");
    }

    #[pg_test]
    fn parallel_nps_agg_and_rollup_give_the_serial_result() {
        make_answers(300_000);
        Spi::run("CREATE TABLE daily AS SELECT day, nps_agg(score) AS s FROM answers GROUP BY day")
            .unwrap();
        Spi::run("ANALYZE answers, daily").unwrap();
        let serial = text("SELECT nps_agg(score)::text FROM answers");
        let serial_rollup = text("SELECT rollup(s)::text FROM daily");
        assert_eq!(serial, serial_rollup);
        force_parallel_plans();
        for query in [
            "SELECT nps_agg(score) FROM answers",
            "SELECT rollup(s) FROM daily",
        ] {
            let plan = explain_analyze(query);
            assert!(
                plan.contains("Partial Aggregate"),
                "no partial aggregation in:\n{plan}"
            );
            assert_eq!(text(&format!("SELECT ({query})::text")), serial, "{query}");
        }
        // and the counts are the ones the generating formula gives
        let responses = Spi::get_one::<i64>("SELECT nps_responses(nps_agg(score)) FROM answers");
        assert_eq!(
            responses,
            Ok(Some((1..=300_000i64).filter(|g| g % 13 != 0).count() as i64))
        );
    }

    #[pg_test]
    fn summary_type_is_found_whatever_the_search_path() {
        use crate::summary::NpsSummary;
        use crate::tally::Tally;
        use crate::weights::Summary;
        let counts = [1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 3];
        let summary = NpsSummary(Summary::unweighted(Tally::from_counts(counts).unwrap()));
        Spi::run("SET LOCAL search_path = ''").unwrap();
        // an SPI argument of the type needs its OID (IntoDatum::type_oid)
        let text = Spi::get_one_with_args::<String>("SELECT $1::pg_catalog.text", &[summary.into()]);
        assert_eq!(text, Ok(Some("v1:1,0,0,0,0,0,0,2,0,0,3".to_string())));
    }

    /// Weighted states cross between parallel workers through nps_summary_deserialize, which
    /// now checks the squares rule: real weights (0.1 steps, which round) must pass it, and the
    /// result must match the hand-written weighted recipe.
    #[pg_test]
    fn parallel_weighted_states_pass_the_deserialize_checks() {
        make_answers(300_000);
        Spi::run("ALTER TABLE answers ADD COLUMN w float8").unwrap();
        Spi::run("UPDATE answers SET w = 0.1 + (g % 7) * 0.3").unwrap();
        Spi::run(
            "CREATE TABLE wdaily AS SELECT day, nps_agg(score, w) AS s FROM answers GROUP BY day",
        )
        .unwrap();
        Spi::run("ANALYZE answers, wdaily").unwrap();
        let recipe = Spi::get_one::<f64>(
            "SELECT 100 * (sum(w) FILTER (WHERE score >= 9) - sum(w) FILTER (WHERE score <= 6))
                    / sum(w) FILTER (WHERE score IS NOT NULL) FROM answers",
        )
        .unwrap()
        .unwrap();
        force_parallel_plans();
        for query in [
            "SELECT nps(score, w) FROM answers",
            "SELECT nps(nps_agg(score, w))::float8 FROM answers",
            "SELECT nps(rollup(s))::float8 FROM wdaily",
        ] {
            let plan = explain_analyze(query);
            assert!(
                plan.contains("Partial Aggregate"),
                "no partial aggregation in:\n{plan}"
            );
            let got = Spi::get_one::<f64>(query).unwrap().unwrap();
            assert!((got - recipe).abs() < 1e-9, "{query}: {got} vs {recipe}");
        }
    }
}
