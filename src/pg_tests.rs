//! Behaviour that needs a backend: parallel plans, window frames and error codes.
//! Expected values come from the hand-written SQL recipe or from arithmetic done here in Rust,
//! never from the extension itself.

#[pgrx::pg_schema]
pub(crate) mod tests {
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

    pub(crate) fn text(query: &str) -> String {
        Spi::get_one::<String>(query)
            .unwrap()
            .unwrap_or_else(|| "NULL".into())
    }

    /// Make the planner choose two parallel workers whenever it can (for this transaction).
    pub(crate) fn force_parallel_plans() {
        Spi::run(
            "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
             SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2;
             SET LOCAL parallel_leader_participation = off",
        )
        .unwrap();
    }

    /// The plan of `query` as executed, one line per plan line.
    pub(crate) fn explain_analyze(query: &str) -> String {
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
        // 1 promoter, 1 detractor, 2 NULLs: NPS 0 over 2 responses, not over 4, with the 16
        // decimal places nps() always has (0.2.0 printed this zero with numeric division's 20).
        assert_eq!(
            text("SELECT nps(s)::text FROM (VALUES (10), (NULL), (0), (NULL)) v(s)"),
            format!("0.{}", "0".repeat(16))
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

    // ---- numeric answers: the fast path that reads a numeric's bytes (numeric.rs) ----------

    /// Every shape a numeric answer can take, as text for `::numeric` (some with the image
    /// numeric.c gives it, derived by hand from the layout documented in numeric.rs).
    fn numeric_shapes() -> Vec<(&'static str, Option<Vec<u8>>)> {
        use crate::numeric::images::{long, short, special};
        vec![
            ("0", Some(short(false, 0, 0, &[]))),
            ("-0", Some(short(false, 0, 0, &[]))), // PostgreSQL normalizes -0 to 0
            ("0.0", Some(short(false, 1, 0, &[]))),
            ("7", Some(short(false, 0, 0, &[7]))),
            ("10.000", Some(short(false, 3, 0, &[10]))),
            ("0.5e1", Some(short(false, 0, 0, &[5]))),
            ("9.5", Some(short(false, 1, 0, &[9, 5000]))),
            ("6.5", None),
            ("10.0001", Some(short(false, 4, 0, &[10, 1]))),
            (
                "9.99999999999999999999",
                Some(short(false, 20, 0, &[9, 9999, 9999, 9999, 9999, 9999])),
            ),
            ("-1", Some(short(true, 0, 0, &[1]))),
            ("-10", None),
            ("11", Some(short(false, 0, 0, &[11]))),
            ("10000", Some(short(false, 0, 1, &[1]))),
            ("12345.678", Some(short(false, 3, 1, &[1, 2345, 6780]))),
            ("0.0001", Some(short(false, 4, -1, &[1]))),
            ("1e100", Some(short(false, 0, 25, &[1]))),
            ("1e-1000", Some(long(false, 1000, -250, &[1]))),
            ("-1e-1000", Some(long(true, 1000, -250, &[1]))),
            ("1e300", Some(long(false, 0, 75, &[1]))),
            ("NaN", Some(special(0xC000))),
            ("Infinity", Some(special(0xD000))),
            ("-Infinity", Some(special(0xF000))),
        ]
    }

    /// The numerics of `query` (one numeric column) as PostgreSQL hands them to a function: the
    /// datum of each stored row (1-byte varlena header) and a 4-byte-header copy of it.
    fn numeric_datums(query: &str, mut check: impl FnMut(&str, pg_sys::Datum, pg_sys::Datum)) {
        Spi::connect(|client| {
            let mut table = client.select(query, None, &[]).unwrap();
            while table.next().is_some() {
                let label = table.get::<String>(1).unwrap().unwrap();
                let stored = table.get_datum_by_ordinal(2).unwrap().expect("not NULL");
                let copied = table
                    .get::<AnyNumeric>(2)
                    .unwrap()
                    .unwrap()
                    .into_datum()
                    .unwrap();
                check(&label, stored, copied);
            }
        })
    }

    #[pg_test]
    fn numeric_layout_is_the_one_documented() {
        use crate::varlena::bytes_of as numeric_bytes;
        let shapes = numeric_shapes();
        let values: Vec<String> = shapes
            .iter()
            .map(|(text, _)| format!("('{text}', '{text}'::numeric)"))
            .collect();
        Spi::run(&format!(
            "CREATE TABLE shapes AS SELECT * FROM (VALUES {}) v(label, v);
             INSERT INTO shapes VALUES ('round(10, 100)', round(10, 100)), ('round(7, 63)', round(7, 63)),
                                       ('round(7, 64)', round(7, 64))",
            values.join(", ")
        ))
        .unwrap();
        let mut expected: std::collections::HashMap<&str, Vec<u8>> = shapes
            .into_iter()
            .filter_map(|(text, image)| Some((text, image?)))
            .collect();
        // display scale 100 or 64 needs the long form; 63 still fits the short one
        use crate::numeric::images::{long, short};
        expected.insert("round(10, 100)", long(false, 100, 0, &[10]));
        expected.insert("round(7, 63)", short(false, 63, 0, &[7]));
        expected.insert("round(7, 64)", long(false, 64, 0, &[7]));
        let mut checked = 0;
        numeric_datums(
            "SELECT label, v FROM shapes",
            |label, stored, copied| unsafe {
                assert!(
                    pgrx::varatt_is_1b(stored.cast_mut_ptr()),
                    "{label}: short varlena on disk"
                );
                assert!(
                    !pgrx::varatt_is_1b(copied.cast_mut_ptr()),
                    "{label}: 4-byte varlena copy"
                );
                let bytes = numeric_bytes(stored);
                assert_eq!(numeric_bytes(copied), bytes, "{label}");
                if let Some(image) = expected.get(label) {
                    assert_eq!(bytes, image.as_slice(), "{label}");
                    checked += 1;
                }
            },
        );
        assert_eq!(checked, expected.len());
    }

    #[pg_test]
    fn numeric_fast_path_accepts_exactly_what_the_slow_path_accepts() {
        use crate::numeric::whole_answer;
        use crate::score::Answer;
        use crate::varlena::bytes_of as numeric_bytes;
        let shapes: Vec<String> = numeric_shapes()
            .iter()
            .map(|(text, _)| format!("('{text}', '{text}'::numeric)"))
            .collect();
        // every tenth from -2 to 12 in scales 1 and 3, numeric(3,1) values, results of
        // arithmetic and of avg(), long headers in memory and on disk
        Spi::run(&format!(
            "CREATE TABLE values_ (label text, v numeric);
             INSERT INTO values_ VALUES {};
             INSERT INTO values_ SELECT x::text, x FROM (SELECT g / 10.0 AS x FROM generate_series(-20, 120) g) t;
             INSERT INTO values_ SELECT x::text, x FROM (SELECT g / 10.000 AS x FROM generate_series(-20, 120) g) t;
             INSERT INTO values_ SELECT x::text, x::numeric(3,1) FROM (SELECT g / 2.0 AS x FROM generate_series(0, 20) g) t;
             INSERT INTO values_ SELECT 'avg ' || s, avg(s) FROM generate_series(0, 11) s, generate_series(1, 3) r GROUP BY s;
             INSERT INTO values_ SELECT 'round ' || s, round(s::numeric, 200) FROM generate_series(-1, 11) s;
             INSERT INTO values_ SELECT 'times ' || s, s::numeric * 1.0 FROM generate_series(-1, 11) s",
            shapes.join(", ")
        ))
        .unwrap();
        let mut accepted = 0;
        let total = Spi::get_one::<i64>("SELECT count(*) FROM values_")
            .unwrap()
            .unwrap();
        numeric_datums(
            "SELECT label, v FROM values_",
            |label, stored, copied| unsafe {
                let slow =
                    Answer::from_numeric(&AnyNumeric::from_datum(copied, false).unwrap()).ok();
                for datum in [stored, copied] {
                    assert_eq!(whole_answer(numeric_bytes(datum)), slow, "{label}");
                }
                accepted += slow.is_some() as i64;
            },
        );
        // whole 0..10 among them, counted by hand: 11 + 11 (tenths, two scales), 11 (numeric(3,1)),
        // 11 (avg), 11 (round), 11 (times), and 0, -0, 0.0, 7, 10.000, 0.5e1 from the shapes
        assert_eq!(accepted, 11 * 6 + 6, "of {total}");
    }

    /// Numeric answers as stored (short headers), as numeric(3,1), and computed in memory
    /// (arithmetic, long headers), against the FILTER recipe over the same values.
    #[pg_test]
    fn numeric_answers_match_the_recipe_in_every_form() {
        make_answers(20_000);
        Spi::run(
            "CREATE TABLE numeric_answers AS
             SELECT g, day, score::numeric AS score, score::numeric(3,1) AS score31,
                    round(score::numeric, 100) AS score_long FROM answers",
        )
        .unwrap();
        let expected = expected_nps(20_000);
        for column in [
            "score",
            "score31",
            "score_long",
            "(score * 1.0)",
            "round(score, 70)",
            "(score31 / 1.000)",
        ] {
            let mismatches = Spi::get_one::<i64>(&format!(
                "SELECT count(*) FROM (
                   SELECT g % 7 AS k, nps({column}) AS got,
                          100.0 * (count(*) FILTER (WHERE {column} >= 9) - count(*) FILTER (WHERE {column} <= 6))
                                / count({column}) AS want
                   FROM numeric_answers GROUP BY 1) t WHERE got IS DISTINCT FROM want"
            ));
            assert_eq!(mismatches, Ok(Some(0)), "{column}");
            let value = Spi::get_one::<f64>(&format!(
                "SELECT nps({column})::float8 FROM numeric_answers"
            ))
            .unwrap()
            .unwrap();
            assert!(
                (value - expected).abs() < 1e-12,
                "{column}: {value} vs {expected}"
            );
            let categories = Spi::get_one::<i64>(&format!(
                "SELECT count(*) FROM numeric_answers WHERE nps_category({column})::text
                   IS DISTINCT FROM CASE WHEN {column} >= 9 THEN 'promoter' WHEN {column} >= 7 THEN 'passive'
                                         WHEN {column} >= 0 THEN 'detractor' END"
            ));
            assert_eq!(categories, Ok(Some(0)), "nps_category({column})");
        }
        // avg() of equal answers is a whole numeric with 16 zeros of scale
        let via_avg = text(
            "SELECT nps(a)::text FROM (SELECT g, avg(s) AS a FROM numeric_answers,
                    LATERAL (VALUES (score), (score)) v(s) GROUP BY g) t",
        );
        assert_eq!(
            via_avg,
            text("SELECT nps(score)::text FROM numeric_answers")
        );
        // the summary holds the same counts as the integer answers
        assert_eq!(
            text("SELECT nps_agg(score_long)::text FROM numeric_answers"),
            text("SELECT nps_agg(score)::text FROM answers")
        );
    }

    #[pg_test]
    fn numeric_answers_in_parallel_plans() {
        make_answers(300_000);
        Spi::run(
            "CREATE TABLE numeric_answers AS SELECT g, score::numeric AS score, (0.5 + (g % 4) * 0.25)::float8 AS w FROM answers;
             ANALYZE numeric_answers",
        )
        .unwrap();
        let serial = [
            text("SELECT nps(score)::text FROM numeric_answers"),
            text("SELECT nps_agg(score)::text FROM numeric_answers"),
            text("SELECT nps_agg(score, w)::text FROM numeric_answers"),
        ];
        force_parallel_plans();
        for (query, serial) in [
            "SELECT nps(score) FROM numeric_answers",
            "SELECT nps_agg(score) FROM numeric_answers",
            "SELECT nps_agg(score, w) FROM numeric_answers",
        ]
        .into_iter()
        .zip(serial)
        {
            let plan = explain_analyze(query);
            assert!(
                plan.contains("Partial Aggregate") && plan.contains("Workers Launched: 2"),
                "{plan}"
            );
            assert_eq!(text(&format!("SELECT ({query})::text")), serial, "{query}");
        }
        let value = Spi::get_one::<f64>("SELECT nps(score)::float8 FROM numeric_answers")
            .unwrap()
            .unwrap();
        assert!((value - expected_nps(300_000)).abs() < 1e-12, "{value}");
        // weighted, in parallel, against the weighted recipe and against arithmetic done here
        let got = Spi::get_one::<f64>("SELECT nps(score, w) FROM numeric_answers")
            .unwrap()
            .unwrap();
        let want = Spi::get_one::<f64>(
            "SELECT 100 * (sum(w) FILTER (WHERE score >= 9) - sum(w) FILTER (WHERE score <= 6))
                    / sum(w) FILTER (WHERE score IS NOT NULL) FROM numeric_answers",
        )
        .unwrap()
        .unwrap();
        let (mut net, mut base) = (0.0, 0.0);
        for g in (1..=300_000i64).filter(|g| g % 13 != 0) {
            let (s, w) = ((g * 7) % 11, 0.5 + (g % 4) as f64 * 0.25);
            base += w;
            net += if s >= 9 {
                w
            } else if s <= 6 {
                -w
            } else {
                0.0
            };
        }
        assert!(
            (got - want).abs() < 1e-9 && (got - 100.0 * net / base).abs() < 1e-9,
            "{got} {want}"
        );
    }

    #[pg_test]
    fn numeric_window_frames_match_recomputation() {
        make_answers(3000);
        Spi::run("CREATE TABLE numeric_answers AS SELECT g, day, (score * 1.0)::numeric(4,1) AS score FROM answers")
            .unwrap();
        for frame in [
            "ORDER BY g ROWS 100 PRECEDING",
            "ORDER BY day RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW",
            "ORDER BY g ROWS BETWEEN 20 PRECEDING AND 10 PRECEDING",
        ] {
            let mismatches = Spi::get_one::<i64>(&format!(
                "SELECT count(*) FROM (
                   SELECT nps(score) OVER w AS got, nps_agg(score) OVER w AS summary,
                          count(*) FILTER (WHERE score >= 9) OVER w AS p, count(*) FILTER (WHERE score <= 6) OVER w AS d,
                          count(score) OVER w AS n
                   FROM numeric_answers WINDOW w AS ({frame})) t
                 WHERE got IS DISTINCT FROM 100.0 * (p - d) / nullif(n, 0)
                    OR nps_promoters(summary) <> p OR nps_detractors(summary) <> d OR nps_responses(summary) <> n"
            ));
            assert_eq!(mismatches, Ok(Some(0)), "frame {frame}");
        }
    }

    #[pg_test]
    fn bad_numeric_answers_are_the_same_errors_on_every_path() {
        let cases = [
            ("9.5", "22023: NPS answer 9.5 is not a whole number"),
            ("'NaN'", "22023: NPS answer NaN is not a number"),
            ("11", "22003: NPS answer 11 is out of range"),
            ("-1", "22003: NPS answer -1 is out of range"),
            ("1e100", "22003: NPS answer 1000000000000000000000000000000000000000... is out of range"),
            ("'Infinity'", "22003: NPS answer Infinity is out of range"),
            ("'-Infinity'", "22003: NPS answer -Infinity is out of range"),
            ("10.0001", "22023: NPS answer 10.0001 is not a whole number"),
            ("9.99999999999999999999", "22023: NPS answer 9.99999999999999999999 is not a whole number"),
            ("1e-1000", "22023: NPS answer 0.00000000000000000000000000000000000000... is not a whole number"),
            ("-0.5", "22023: NPS answer -0.5 is not a whole number"),
        ];
        Spi::run("CREATE TABLE stored (g int, s numeric)").unwrap();
        for (value, want) in cases {
            let v = format!("{value}::numeric");
            for query in [
                format!("SELECT nps({v})"),
                format!("SELECT nps_agg({v})"),
                format!("SELECT nps({v}, 1.0)"),
                format!("SELECT nps_agg({v}, 1.0)"),
                format!("SELECT nps({v}, NULL)"), // a NULL weight skips the row, not the check
                format!("SELECT nps_category({v})"),
                format!("SELECT nps(s) OVER (ORDER BY g ROWS 1 PRECEDING) FROM (VALUES (1, 9::numeric), (2, {v}), (3, 7)) x(g, s)"),
            ] {
                assert_eq!(error_of(&query), want, "{query}");
            }
            // the same value stored on disk (a short varlena header)
            Spi::run(&format!(
                "TRUNCATE stored; INSERT INTO stored VALUES (1, 10), (2, {v}), (3, 0)"
            ))
            .unwrap();
            for query in [
                "SELECT nps(s) FROM stored",
                "SELECT nps_agg(s, 2) FROM stored",
                "SELECT nps_category(s) FROM stored",
            ] {
                assert_eq!(error_of(query), want, "{query} over stored {value}");
            }
        }
        // numerics stored compressed or out of line (TOASTed) are read after detoasting: 5,000
        // nines compress to a few bytes in line; 22,400 digits from md5 go to the TOAST table
        Spi::run(
            "CREATE TABLE toasted (kind text, s numeric);
             INSERT INTO toasted VALUES ('compressed', 10::numeric ^ 5000 - 1),
               ('external', (SELECT string_agg(translate(md5(g::text), 'abcdef', '123456'), '')
                             FROM generate_series(1, 700) g)::numeric)",
        )
        .unwrap();
        assert_eq!(
            text("SELECT pg_column_compression(s) || ' ' || (pg_column_size(s) < 100)::text FROM toasted WHERE kind = 'compressed'"),
            "pglz true"
        );
        let toast_table =
            text("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'toasted'");
        assert!(
            Spi::get_one::<i64>(&format!("SELECT count(*) FROM {toast_table}"))
                .unwrap()
                .unwrap()
                > 0
        );
        for kind in ["compressed", "external"] {
            let shown = text(&format!(
                "SELECT left(s::text, 40) FROM toasted WHERE kind = '{kind}'"
            ));
            let want = format!("22003: NPS answer {shown}... is out of range");
            for query in [
                format!("SELECT nps(s) FROM toasted WHERE kind = '{kind}'"),
                format!("SELECT nps(s, 1) FROM toasted WHERE kind = '{kind}'"),
                format!("SELECT nps_category(s) FROM toasted WHERE kind = '{kind}'"),
            ] {
                assert_eq!(error_of(&query), want, "{query}");
            }
        }
        // whole numbers in every spelling are answers
        assert_eq!(
            text("SELECT string_agg(nps_category(v)::text, ',') FROM unnest('{10.000,-0,0.0,0.5e1,8.00}'::numeric[]) v"),
            "promoter,detractor,detractor,detractor,passive"
        );
    }

    // ---- weighted answers ---------------------------------------------------------------------

    #[pg_test]
    fn weighted_nps_matches_the_weighted_recipe_for_every_input_type() {
        make_answers(30_000);
        Spi::run("ALTER TABLE answers ADD COLUMN w float8; UPDATE answers SET w = CASE WHEN g % 19 = 0 THEN NULL ELSE (g % 5) * 0.75 END")
            .unwrap();
        // by hand: rows with both an answer and a weight
        let (mut net, mut base, mut squares, mut n) = (0.0f64, 0.0f64, 0.0f64, 0i64);
        for g in (1..=30_000i64).filter(|g| g % 13 != 0 && g % 19 != 0) {
            let (s, w) = ((g * 7) % 11, (g % 5) as f64 * 0.75);
            n += 1;
            base += w;
            squares += w * w;
            net += if s >= 9 {
                w
            } else if s <= 6 {
                -w
            } else {
                0.0
            };
        }
        for ty in ["smallint", "integer", "bigint", "numeric", "numeric(3,1)"] {
            let got = Spi::get_one::<f64>(&format!("SELECT nps(score::{ty}, w) FROM answers"))
                .unwrap()
                .unwrap();
            let recipe = Spi::get_one::<f64>(&format!(
                "SELECT 100 * (sum(w) FILTER (WHERE score::{ty} >= 9) - sum(w) FILTER (WHERE score::{ty} <= 6))
                        / sum(w) FILTER (WHERE score::{ty} IS NOT NULL) FROM answers"
            ))
            .unwrap()
            .unwrap();
            assert!(
                (got - recipe).abs() < 1e-9 && (got - 100.0 * net / base).abs() < 1e-9,
                "{ty}: {got} {recipe}"
            );
            // nps_agg(score, w) holds the same sums: responses, weights and squared weights
            let (responses, total, sq) = Spi::get_three::<i64, f64, f64>(&format!(
                "SELECT nps_responses(s), (SELECT sum(x) FROM unnest(string_to_array(split_part(split_part(s::text, 'weights=', 2), ';', 1), ',')::float8[]) x),
                        split_part(s::text, 'squares=', 2)::float8
                 FROM (SELECT nps_agg(score::{ty}, w) AS s FROM answers) t"
            ))
            .unwrap();
            assert_eq!(responses, Some(n), "{ty}");
            assert!(
                (total.unwrap() - base).abs() < 1e-6 && (sq.unwrap() - squares).abs() < 1e-6,
                "{ty}"
            );
            assert!(
                (Spi::get_one::<f64>(&format!(
                    "SELECT nps(nps_agg(score::{ty}, w))::float8 FROM answers"
                ))
                .unwrap()
                .unwrap()
                    - got)
                    .abs()
                    < 1e-9
            );
        }
    }

    #[pg_test]
    fn weighted_rows_with_a_null_side_are_skipped_but_checked() {
        // 10 weighs 2, 3 weighs 1; the NULL weight and the NULL answer are no responses
        let got = Spi::get_one::<f64>(
            "SELECT nps(s, w) FROM (VALUES (10, 2.0), (3, 1.0), (9, NULL), (NULL, 5.0)) v(s, w)",
        );
        assert!((got.unwrap().unwrap() - 100.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            text("SELECT nps_agg(s, w)::text FROM (VALUES (10, 2.0), (3, 1.0), (9, NULL), (NULL, 5.0)) v(s, w)"),
            "v1:0,0,0,1,0,0,0,0,0,0,1;weights=0,0,0,1,0,0,0,0,0,0,2;squares=5"
        );
        // nothing counted: NULL weighted NPS; the summary is empty, not NULL
        assert_eq!(
            text("SELECT nps(s, w)::text FROM (VALUES (NULL::int, 1.0)) v(s, w)"),
            "NULL"
        );
        assert_eq!(
            text("SELECT nps_agg(s, w)::text FROM (VALUES (NULL::int, 1.0)) v(s, w)"),
            "v1:0,0,0,0,0,0,0,0,0,0,0"
        );
        for (query, want) in [
            (
                "SELECT nps(11, NULL)",
                "22003: NPS answer 11 is out of range",
            ),
            (
                "SELECT nps(NULL::int, -1)",
                "22023: NPS weight -1 is invalid: weights must be finite and at least 0",
            ),
            (
                "SELECT nps_agg(NULL::numeric, 'NaN')",
                "22023: NPS weight NaN is invalid: weights must be finite and at least 0",
            ),
            (
                "SELECT nps(7::smallint, 'Infinity')",
                "22023: NPS weight Infinity is invalid: weights must be finite and at least 0",
            ),
            (
                "SELECT nps(12::bigint, -1)",
                "22003: NPS answer 12 is out of range",
            ), // the answer is checked first
        ] {
            assert_eq!(error_of(query), want, "{query}");
        }
    }

    // ---- rollup -------------------------------------------------------------------------------

    /// Stored summaries against sums of the same counts kept as plain bigint columns.
    #[pg_test]
    fn rollup_equals_summing_the_counts() {
        Spi::run(
            "CREATE TABLE counts AS
             SELECT id, ARRAY(SELECT (id * 31 + a * 17) % (CASE WHEN a = 4 THEN 20000 ELSE 300 END)
                              FROM generate_series(0, 10) a)::bigint[] AS c FROM generate_series(1, 5000) id;
             CREATE TABLE stored AS
             SELECT id, CASE WHEN id % 11 = 0 THEN NULL ELSE ('v1:' || array_to_string(c, ','))::nps_summary END AS s, c
             FROM counts",
        )
        .unwrap();
        let sums = "ARRAY(SELECT sum(c[a + 1])::bigint FROM stored, generate_series(0, 10) a WHERE s IS NOT NULL GROUP BY a ORDER BY a)";
        assert_eq!(
            text(&format!(
                "SELECT (nps_histogram(rollup(s)) = {sums})::text FROM stored"
            )),
            "true"
        );
        // grouped, and over window frames (the inverse), against sums over the same frame
        let mismatches = Spi::get_one::<i64>(
            "SELECT count(*) FROM (
               SELECT id, nps_histogram(rollup(s) OVER w) AS got,
                      ARRAY[sum(c[1]) OVER w, sum(c[5]) OVER w, sum(c[11]) OVER w]::bigint[] AS want
               FROM (SELECT id, s, CASE WHEN s IS NULL THEN '{0,0,0,0,0,0,0,0,0,0,0}' ELSE c END AS c FROM stored) t
               WINDOW w AS (ORDER BY id ROWS BETWEEN 30 PRECEDING AND 5 FOLLOWING)) x
             WHERE ARRAY[got[1], got[5], got[11]] IS DISTINCT FROM want",
        );
        assert_eq!(mismatches, Ok(Some(0)));
        // rollup of nothing but NULLs is an empty summary; of no rows, NULL
        assert_eq!(
            text("SELECT rollup(s)::text FROM stored WHERE s IS NULL"),
            "v1:0,0,0,0,0,0,0,0,0,0,0"
        );
        assert_eq!(
            text("SELECT rollup(s)::text FROM stored WHERE false"),
            "NULL"
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
        let text =
            Spi::get_one_with_args::<String>("SELECT $1::pg_catalog.text", &[summary.into()]);
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

    /// nps_adjust_p as a window function equals statsmodels' multipletests on the committed
    /// reference families (tests/data/p_adjust.csv), relative 1e-12, each family a partition.
    #[pg_test]
    fn adjust_p_window_matches_statsmodels() {
        Spi::run(
            "CREATE TABLE reference (family text, position int, p float8, bonferroni float8,
                                     holm float8, bh float8, by float8)",
        )
        .unwrap();
        let data = include_str!("../tests/data/p_adjust.csv");
        let rows: Vec<String> = data
            .lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                format!(
                    "('{}', {}, {}, {}, {}, {}, {})",
                    f[0], f[1], f[2], f[3], f[4], f[5], f[6]
                )
            })
            .collect();
        Spi::run(&format!("INSERT INTO reference VALUES {}", rows.join(", "))).unwrap();
        // a NULL in every family: it must stay out of the family and come back NULL
        Spi::run(
            "INSERT INTO reference (family, position) SELECT DISTINCT family, 0 FROM reference",
        )
        .unwrap();
        let checked = Spi::get_one::<i64>(
            "SELECT count(*) FROM (
               SELECT r.*, nps_adjust_p(p, 'bonferroni') OVER w AS a_bonferroni, nps_adjust_p(p) OVER w AS a_holm,
                      nps_adjust_p(p, 'bh') OVER w AS a_bh, nps_adjust_p(p, 'by') OVER w AS a_by
               FROM reference r WINDOW w AS (PARTITION BY family ORDER BY position)) t
             WHERE CASE WHEN p IS NULL THEN num_nulls(a_bonferroni, a_holm, a_bh, a_by) = 4
                   ELSE abs(a_bonferroni - bonferroni) <= 1e-12 * bonferroni AND abs(a_holm - holm) <= 1e-12 * holm
                        AND abs(a_bh - bh) <= 1e-12 * bh AND abs(a_by - by) <= 1e-12 * by END",
        )
        .unwrap()
        .unwrap();
        let total = Spi::get_one::<i64>("SELECT count(*) FROM reference")
            .unwrap()
            .unwrap();
        assert_eq!(checked, total);
        assert!(total > 300);
    }

    /// A partition far larger than work_mem (the window's rows spill to disk): BH's adjusted
    /// p-values equal its definition written in SQL, in every row.
    #[pg_test]
    fn adjust_p_window_over_a_spilled_partition() {
        Spi::run("SET LOCAL work_mem = '64kB'").unwrap();
        Spi::run(
            "CREATE TABLE ps AS SELECT g, g % 2 AS part, ((abs(hashint4(g)) % 1000000) / 1e6)::float8 ^ 2 AS p
             FROM generate_series(1, 40000) g",
        )
        .unwrap();
        let mismatches = Spi::get_one::<i64>(
            "WITH ranked AS (
               SELECT g, part, p, count(*) OVER (PARTITION BY part) AS n,
                      row_number() OVER (PARTITION BY part ORDER BY p, g) AS i FROM ps),
             reference AS (
               SELECT g, least(1, min(n::float8 / i * p) OVER (PARTITION BY part ORDER BY i DESC
                                                                ROWS UNBOUNDED PRECEDING)) AS bh FROM ranked)
             SELECT count(*) FROM (SELECT g, nps_adjust_p(p, 'bh') OVER (PARTITION BY part ORDER BY g) AS bh FROM ps) o
             JOIN reference r USING (g) WHERE abs(o.bh - r.bh) > 1e-12 * r.bh",
        )
        .unwrap();
        assert_eq!(mismatches, Some(0));
    }

    /// nps_prior_strength in a parallel plan (partial states through serialize, deserialize and
    /// combine) gives the serial estimate, which equals the ANOVA estimate written out in SQL.
    #[pg_test]
    fn prior_strength_parallel_equals_serial_and_the_definition() {
        Spi::run(
            "CREATE TABLE segs AS
             SELECT g, nps_agg(least(10, greatest(0, (s * 7 + g) % 11 + g % 5 - 2))) AS s
             FROM generate_series(1, 20000) g, generate_series(1, 5 + g % 30) s GROUP BY g",
        )
        .unwrap();
        Spi::run("ANALYZE segs").unwrap();
        let by_definition = Spi::get_one::<f64>(
            "WITH seg AS (SELECT nps_responses(s)::float8 AS n, (nps_promoters(s) - nps_detractors(s))::float8 AS net,
                                 (nps_promoters(s) + nps_detractors(s))::float8 AS decided FROM segs),
                  t AS (SELECT count(*)::float8 AS m, sum(n) AS n, sum(n * n) AS n2, sum(net) AS net,
                               sum(net * net / n) AS net2, sum(decided) AS decided FROM seg)
             SELECT least((n - n2 / n) / (m - 1) * ((decided - net2) / (n - m))
                          / ((net2 - net * net / n) / (m - 1) - (decided - net2) / (n - m)), n) FROM t",
        )
        .unwrap()
        .unwrap();
        let serial = Spi::get_one::<f64>("SELECT nps_prior_strength(s) FROM segs")
            .unwrap()
            .unwrap();
        force_parallel_plans();
        let plan = explain_analyze("SELECT nps_prior_strength(s) FROM segs");
        assert!(plan.contains("Partial Aggregate"), "{plan}");
        let parallel = Spi::get_one::<f64>("SELECT nps_prior_strength(s) FROM segs")
            .unwrap()
            .unwrap();
        assert!(
            (serial - by_definition).abs() <= 1e-9 * by_definition,
            "{serial} {by_definition}"
        );
        assert!(
            (parallel - serial).abs() <= 1e-9 * serial,
            "{parallel} {serial}"
        );
        assert!(serial > 1.0 && serial < 1000.0, "{serial}");
    }
}
