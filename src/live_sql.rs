//! The SQL of a live summary, as text made from its names (pure Rust; every name comes in
//! quoted already, and every function and operator is qualified, so nothing depends on the
//! search_path of whoever runs it).
//!
//! A live summary of a source keeps three relations next to it:
//! - `data`: one row per bucket and segments, the summaries folded so far (a unique index on
//!   `ARRAY[column]` per key column makes NULL segments and times keys of their own on every
//!   major, as `GROUP BY` makes them groups: arrays compare NULL elements as equal);
//! - `delta`: what writers' statements changed and nobody folded yet, one row per statement
//!   with two arrays of data's own row type: per key, the answers that came in and those that
//!   went out (rows of data's type, so that segments of any type, arrays too, fit);
//! - `live`: the view users read: `data` where no change is pending, and the rest merged on
//!   the fly, so it is exact in every snapshot while writers only ever append.

/// The names of a live summary's relations and columns, quoted and qualified.
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    /// The extension's schema.
    pub ext: String,
    pub live: String,
    pub data: String,
    pub delta: String,
    /// The segment columns of data and delta (quoted), and the same names unquoted as string
    /// literals for JSON keys.
    pub segments: Vec<String>,
    pub segment_literals: Vec<String>,
}

/// What a recomputation reads: the source (with ONLY where needed) and its columns, quoted.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub relation: String,
    pub time: String,
    pub score: String,
    pub weight: Option<String>,
    pub segments: Vec<String>,
    /// The bucket function's arguments after the time: `'1 day'::pg_catalog.interval` and for
    /// timestamptz the zone.
    pub bucket_args: String,
}

impl Storage {
    fn summary_type(&self) -> String {
        format!("{}.nps_summary", self.ext)
    }

    /// `prefix.bucket, prefix.s1, ...`
    fn keys(&self, prefix: &str) -> String {
        std::iter::once("bucket")
            .chain(self.segments.iter().map(String::as_str))
            .map(|c| format!("{prefix}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `bucket, s1, ...` as a column list
    fn columns(&self) -> String {
        std::iter::once("bucket")
            .chain(self.segments.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// NULL-safe equality of every key column of a and b, as the unique index of data defines it.
    fn same_key(&self, a: &str, b: &str) -> String {
        std::iter::once("bucket")
            .chain(self.segments.iter().map(String::as_str))
            .map(|c| format!("ARRAY[{a}.{c}] OPERATOR(pg_catalog.=) ARRAY[{b}.{c}]"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The changes in the delta rows `rows` selects, one row per key part: bucket, segments,
    /// plus, minus (one of them NULL).
    fn parts(&self, rows: &str) -> String {
        let (p, m) = (self.keys("p"), self.keys("m"));
        format!(
            "SELECT {p}, p.summary AS plus, NULL::{t} AS minus FROM ({rows}) d CROSS JOIN LATERAL pg_catalog.unnest(d.nps_live_plus) p
UNION ALL
SELECT {m}, NULL::{t}, m.summary FROM ({rows}) d CROSS JOIN LATERAL pg_catalog.unnest(d.nps_live_minus) m",
            t = self.summary_type()
        )
    }

    /// The changes still pending.
    fn pending(&self) -> String {
        self.parts(&format!("SELECT * FROM {}", self.delta))
    }

    /// The delta rows not folded yet, found through the index on nps_live_writer (the fold runs
    /// with sequential scans off): folded rows are deleted, and until VACUUM comes by, a scan
    /// of the heap would read every one of them.
    fn pending_rows(&self, alias: &str) -> String {
        format!(
            "{alias}.ctid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT p.ctid FROM {} p ORDER BY p.nps_live_writer))",
            self.delta
        )
    }

    /// CREATE INDEX of delta by the time of appending.
    pub fn delta_index(&self, name: &str) -> String {
        format!("CREATE INDEX {name} ON {} (nps_live_writer)", self.delta)
    }

    /// CREATE UNIQUE INDEX over the key of data.
    pub fn key_index(&self, name: &str) -> String {
        let parts: Vec<String> = std::iter::once("bucket")
            .chain(self.segments.iter().map(String::as_str))
            .map(|c| format!("(ARRAY[{c}])"))
            .collect();
        format!(
            "CREATE UNIQUE INDEX {name} ON {} ({})",
            self.data,
            parts.join(", ")
        )
    }

    /// The view's query: exact in any snapshot. Keys without pending changes come straight from
    /// data (found by bucket, which is hashable and usually selective: pending changes touch
    /// few buckets); the others are merged with their pending parts. The pending changes are
    /// read once.
    pub fn view(&self) -> String {
        let ext = &self.ext;
        format!(
            "WITH pending AS MATERIALIZED ({pending})
SELECT {f_keys}, f.summary
  FROM {data} f
 WHERE NOT EXISTS (SELECT FROM pending p WHERE p.bucket OPERATOR(pg_catalog.=) f.bucket)
   AND (f.bucket IS NOT NULL OR NOT EXISTS (SELECT FROM pending p WHERE p.bucket IS NULL))
UNION ALL
SELECT {g_keys}, g.summary
  FROM (SELECT {c_keys}, {ext}.nps_live_apply(NULL, {ext}.rollup(c.plus), {ext}.rollup(c.minus)) AS summary
          FROM (SELECT {f_keys}, f.summary AS plus, NULL::{summary} AS minus
                  FROM {data} f
                 WHERE f.bucket IN (SELECT p.bucket FROM pending p)
                    OR (f.bucket IS NULL AND EXISTS (SELECT FROM pending p WHERE p.bucket IS NULL))
                UNION ALL
                SELECT * FROM pending) c
         GROUP BY {c_keys}) g
 WHERE {ext}.nps_responses(g.summary) OPERATOR(pg_catalog.>) 0",
            pending = self.pending(),
            f_keys = self.keys("f"),
            g_keys = self.keys("g"),
            c_keys = self.keys("c"),
            data = self.data,
            summary = self.summary_type(),
        )
    }

    /// Fold every pending change visible now into data, in one statement: take the delta rows,
    /// merge them per key, update the keys data has, delete those left without responses and
    /// insert the new ones. Runs under the live summary's fold lock, so no other fold writes
    /// data meanwhile.
    pub fn fold(&self) -> String {
        let ext = &self.ext;
        format!(
            "WITH taken AS (DELETE FROM {delta} t WHERE {pending} RETURNING *),
changes AS (
    SELECT {u_keys}, {ext}.rollup(u.plus) AS plus, {ext}.rollup(u.minus) AS minus
      FROM ({parts}) u
     GROUP BY {u_keys}),
merged AS (
    SELECT {c_keys}, f.summary IS NOT NULL AS existed, {ext}.nps_live_apply(f.summary, c.plus, c.minus) AS summary
      FROM changes c LEFT JOIN {data} f ON {c_is_f}),
kept AS (
    UPDATE {data} f SET summary = m.summary FROM merged m
     WHERE m.existed AND {m_is_f} AND {ext}.nps_responses(m.summary) OPERATOR(pg_catalog.>) 0),
emptied AS (
    DELETE FROM {data} f USING merged m
     WHERE m.existed AND {m_is_f} AND {ext}.nps_responses(m.summary) OPERATOR(pg_catalog.=) 0)
INSERT INTO {data} ({cols}, summary)
SELECT {m_keys}, m.summary FROM merged m
 WHERE NOT m.existed AND {ext}.nps_responses(m.summary) OPERATOR(pg_catalog.>) 0",
            delta = self.delta,
            data = self.data,
            pending = self.pending_rows("t"),
            parts = self.parts("SELECT * FROM taken"),
            cols = self.columns(),
            u_keys = self.keys("u"),
            c_keys = self.keys("c"),
            m_keys = self.keys("m"),
            c_is_f = self.same_key("c", "f"),
            m_is_f = self.same_key("m", "f"),
        )
    }

    /// Empty the live summary (TRUNCATE of the whole source).
    pub fn clear(&self) -> [String; 2] {
        [
            format!("DELETE FROM {}", self.delta),
            format!("DELETE FROM {}", self.data),
        ]
    }

    /// Append summaries per key as one pending change: `query` yields the key columns and
    /// `plus` and `minus` summaries (either may be NULL).
    pub fn append(&self, query: &str) -> String {
        let row = |part: &str| {
            format!(
                "pg_catalog.array_agg(ROW({}, x.{part})::{}) FILTER (WHERE x.{part} IS NOT NULL)",
                self.keys("x"),
                self.data
            )
        };
        format!(
            "INSERT INTO {} (nps_live_plus, nps_live_minus, nps_live_writer)
SELECT {}, {}, 0 FROM ({query}) x
HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
            self.delta,
            row("plus"),
            row("minus")
        )
    }

    /// Per key of the source (bucket, segments): its summary. `filter` restricts the rows read.
    pub fn recompute(&self, source: &Source, filter: &str) -> String {
        let ext = &self.ext;
        let answer = match &source.weight {
            Some(w) => format!("t.{}, t.{w}::pg_catalog.float8", source.score),
            None => format!("t.{}", source.score),
        };
        let mut responses = format!("t.{} IS NOT NULL", source.score);
        if let Some(w) = &source.weight {
            responses.push_str(&format!(" AND t.{w} IS NOT NULL"));
        }
        let segments: Vec<String> = source
            .segments
            .iter()
            .zip(&self.segments)
            .map(|(s, d)| format!("t.{s} AS {d}"))
            .collect();
        let group: Vec<String> = (1..=self.segments.len() + 1)
            .map(|i| i.to_string())
            .collect();
        format!(
            "SELECT {ext}.nps_live_bucket(t.{time}, {args}) AS bucket{comma}{segments}, {ext}.nps_agg({answer}) AS summary
  FROM {relation} t
 WHERE {responses}{filter}
 GROUP BY {group}",
            time = source.time,
            args = source.bucket_args,
            comma = if segments.is_empty() { "" } else { ", " },
            segments = segments.join(", "),
            relation = source.relation,
            group = group.join(", "),
        )
    }

    /// Every key where the live view and a recomputation of the source differ, in one snapshot:
    /// the key as jsonb, the live summary and the expected one (NULL where a side has none).
    /// `live_filter` restricts the view's keys like `filter` restricts the source's rows.
    pub fn differences(&self, source: &Source, filter: &str, live_filter: &str) -> String {
        let ext = &self.ext;
        let json: Vec<String> = std::iter::once(("'bucket'".to_string(), "bucket"))
            .chain(
                self.segment_literals
                    .iter()
                    .cloned()
                    .zip(self.segments.iter().map(String::as_str)),
            )
            .map(|(k, c)| format!("{k}, coalesce(e.{c}, l.{c})"))
            .collect();
        let keys: Vec<String> = std::iter::once("bucket")
            .chain(self.segments.iter().map(String::as_str))
            .map(|c| format!("coalesce(e.{c}, l.{c}) AS {c}"))
            .collect();
        format!(
            "WITH expected AS ({recompute}),
live AS (SELECT * FROM {live} l WHERE true{live_filter})
SELECT pg_catalog.jsonb_build_object({json}) AS key, {keys}, l.summary AS live, e.summary AS expected
  FROM expected e FULL JOIN live l ON {same}
 WHERE e.summary IS NULL OR l.summary IS NULL OR NOT {ext}.nps_live_same(e.summary, l.summary)",
            recompute = self.recompute(source, filter),
            live = self.live,
            json = json.join(", "),
            keys = keys.join(", "),
            same = self.same_key("e", "l"),
        )
    }

    /// Append, as one pending change, what makes the live view equal the recomputation where
    /// they differ (the expected summary in, the live one out); returns the number of keys.
    pub fn correction(&self, source: &Source, filter: &str, live_filter: &str) -> String {
        format!(
            "WITH diff AS ({}),
appended AS ({})
SELECT pg_catalog.count(*) FROM diff",
            self.differences(source, filter, live_filter),
            self.append(&format!(
                "SELECT {}, diff.expected AS plus, diff.live AS minus FROM diff",
                std::iter::once("bucket")
                    .chain(self.segments.iter().map(String::as_str))
                    .map(|c| format!("diff.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage(segments: &[&str]) -> Storage {
        Storage {
            ext: "ext".into(),
            live: "public.l".into(),
            data: "public.l_data".into(),
            delta: "public.l_delta".into(),
            segments: segments.iter().map(|s| s.to_string()).collect(),
            segment_literals: segments.iter().map(|s| format!("'{s}'")).collect(),
        }
    }

    #[test]
    fn key_index_wraps_each_column_in_an_array() {
        assert_eq!(
            storage(&["plan", "\"Region\""]).key_index("l_key"),
            "CREATE UNIQUE INDEX l_key ON public.l_data ((ARRAY[bucket]), (ARRAY[plan]), (ARRAY[\"Region\"]))"
        );
        assert_eq!(
            storage(&[]).key_index("k"),
            "CREATE UNIQUE INDEX k ON public.l_data ((ARRAY[bucket]))"
        );
    }

    #[test]
    fn pending_unnests_both_parts_into_key_columns() {
        assert_eq!(
            storage(&["plan"]).pending(),
            "SELECT p.bucket, p.plan, p.summary AS plus, NULL::ext.nps_summary AS minus \
             FROM (SELECT * FROM public.l_delta) d CROSS JOIN LATERAL pg_catalog.unnest(d.nps_live_plus) p
UNION ALL
SELECT m.bucket, m.plan, NULL::ext.nps_summary, m.summary \
             FROM (SELECT * FROM public.l_delta) d CROSS JOIN LATERAL pg_catalog.unnest(d.nps_live_minus) m"
        );
    }

    #[test]
    fn keys_match_null_safely() {
        assert_eq!(
            storage(&["plan"]).same_key("a", "b"),
            "ARRAY[a.bucket] OPERATOR(pg_catalog.=) ARRAY[b.bucket] AND ARRAY[a.plan] OPERATOR(pg_catalog.=) ARRAY[b.plan]"
        );
    }

    #[test]
    fn recompute_reads_responses_only_and_weights_as_float8() {
        let s = storage(&["plan"]);
        let source = Source {
            relation: "public.answers".into(),
            time: "\"At\"".into(),
            score: "score".into(),
            weight: Some("w".into()),
            segments: vec!["tier".into()],
            bucket_args: "'1 day'::pg_catalog.interval".into(),
        };
        let sql = s.recompute(&source, " AND t.x");
        assert!(sql.contains(
            "ext.nps_live_bucket(t.\"At\", '1 day'::pg_catalog.interval) AS bucket, t.tier AS plan"
        ));
        assert!(sql.contains("ext.nps_agg(t.score, t.w::pg_catalog.float8)"));
        assert!(sql.contains("WHERE t.score IS NOT NULL AND t.w IS NOT NULL AND t.x"));
        assert!(sql.ends_with("GROUP BY 1, 2"));
    }
}
#[cfg(test)]
mod print {
    #[test]
    fn print_differences() {
        let s = super::tests_storage();
        let source = super::Source {
            relation: "public.answers".into(),
            time: "day".into(),
            score: "score".into(),
            weight: None,
            segments: vec!["plan".into()],
            bucket_args: "'1 day'::pg_catalog.interval".into(),
        };
        println!("{}", s.differences(&source, "", ""));
    }
}
#[cfg(test)]
fn tests_storage() -> Storage {
    Storage {
        ext: "ext".into(),
        live: "public.l".into(),
        data: "public.l_data".into(),
        delta: "public.l_delta".into(),
        segments: vec!["plan".into()],
        segment_literals: vec!["'plan'".into()],
    }
}
