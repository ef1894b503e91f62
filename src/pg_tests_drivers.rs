//! Behaviour of 0.3.0's additions for BI tools and drivers that needs a backend: float answers
//! in parallel plans and window frames, min/max of summaries in parallel, one scale of nps().
//! Expected values come from SQL recipes or from arithmetic done here, never from the extension.

#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::tests::{explain_analyze as plan, force_parallel_plans, text};
    use pgrx::prelude::*;

    /// score = (g * 7) % 11 as integer, real and double precision, NULL when g % 13 = 0.
    fn make_float_answers(rows: i64) {
        Spi::run(&format!(
            "CREATE TABLE answers AS
             SELECT g, s AS i, s::real AS r, s::double precision AS d
             FROM (SELECT g, CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7) % 11 END AS s
                   FROM generate_series(1, {rows}) g) t;
             ANALYZE answers"
        ))
        .unwrap();
    }

    /// NPS of the generating formula, times 10^16 and rounded half away from zero, as text.
    fn expected_nps_text(rows: i64) -> String {
        let (mut p, mut d, mut n) = (0i128, 0i128, 0i128);
        for g in (1..=rows).filter(|g| g % 13 != 0) {
            let s = (g * 7) % 11;
            n += 1;
            p += i128::from(s >= 9);
            d += i128::from(s <= 6);
        }
        let scaled = 100 * (p - d) * 10i128.pow(16);
        let rounded = (scaled.abs() * 2 + n) / (2 * n) * scaled.signum();
        let sign = if rounded < 0 { "-" } else { "" };
        let digits = format!("{:017}", rounded.abs());
        let (whole, fraction) = digits.split_at(digits.len() - 16);
        format!("{sign}{whole}.{fraction}")
    }

    #[pg_test]
    fn float_answers_in_parallel_plans_give_the_integer_result() {
        make_float_answers(200_000);
        let want = expected_nps_text(200_000);
        assert_eq!(text("SELECT nps(i)::text FROM answers"), want);
        let serial_summary = text("SELECT nps_agg(i)::text FROM answers");
        force_parallel_plans();
        for column in ["r", "d"] {
            let query = format!("SELECT nps({column}) FROM answers");
            let explained = plan(&query);
            assert!(explained.contains("Partial Aggregate"), "{explained}");
            assert!(explained.contains("Workers Launched: 2"), "{explained}");
            assert_eq!(text(&format!("SELECT ({query})::text")), want, "{query}");
            assert_eq!(
                text(&format!("SELECT nps_agg({column})::text FROM answers")),
                serial_summary
            );
            assert_eq!(
                text(&format!(
                    "SELECT (nps_agg({column}, 0.5) = nps_agg(i, 0.5))::text FROM answers"
                )),
                "true"
            );
        }
    }

    #[pg_test]
    fn float_window_frames_match_recomputation() {
        make_float_answers(3000);
        for column in ["r", "d"] {
            for frame in [
                "ORDER BY g ROWS 100 PRECEDING",
                "ORDER BY g ROWS BETWEEN 5 PRECEDING AND 5 FOLLOWING",
                "PARTITION BY g % 3 ORDER BY g ROWS UNBOUNDED PRECEDING",
            ] {
                let mismatches = Spi::get_one::<i64>(&format!(
                    "SELECT count(*) FROM (
                       SELECT nps({column}) OVER w AS got,
                              round(100.0 * (count(*) FILTER (WHERE i >= 9) OVER w
                                             - count(*) FILTER (WHERE i <= 6) OVER w)
                                    / nullif(count(i) OVER w, 0), 16) AS want
                       FROM answers WINDOW w AS ({frame})) t
                     WHERE got IS DISTINCT FROM want"
                ));
                assert_eq!(mismatches, Ok(Some(0)), "{column}, frame {frame}");
            }
        }
    }

    #[pg_test]
    fn min_and_max_of_summaries_in_parallel_plans() {
        Spi::run(
            "CREATE TABLE daily AS
             SELECT g, ('v1:' || array_to_string(ARRAY(SELECT abs(hashint4(g * 11 + a)) % 50
                                                      FROM generate_series(0, 10) a), ','))::nps_summary AS s
             FROM generate_series(1, 100000) g;
             ANALYZE daily",
        )
        .unwrap();
        // the first and last of the documented order, found by sorting
        let first = text("SELECT s::text AS summary FROM daily ORDER BY s LIMIT 1");
        let last = text("SELECT s::text AS summary FROM daily ORDER BY s DESC LIMIT 1");
        // and by the accessors: lowest NPS, fewest responses, then counts
        let by_accessors = text(
            "SELECT s::text AS summary FROM daily ORDER BY nps(s), nps_responses(s), nps_histogram(s) LIMIT 1",
        );
        assert_eq!(first, by_accessors);
        force_parallel_plans();
        let explained = plan("SELECT min(s), max(s) FROM daily");
        assert!(explained.contains("Partial Aggregate"), "{explained}");
        assert_eq!(text("SELECT min(s)::text FROM daily"), first);
        assert_eq!(text("SELECT max(s)::text FROM daily"), last);
    }
}
