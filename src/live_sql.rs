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

    /// Whether the key of the row `alias` is too wide for data's unique index (a btree entry
    /// holds at most about a third of a page, and a free-text segment can be longer): such a
    /// key stays pending, in delta, where no index holds it, merged into one row at every
    /// fold. Its segments' sizes, uncompressed, against a quarter of a page less 32 bytes a
    /// key column (the arrays' headers): a little below what the index takes.
    fn too_wide(&self, alias: &str) -> String {
        let sizes: Vec<String> = self
            .segments
            .iter()
            .map(|c| format!("COALESCE(pg_catalog.pg_column_size({alias}.{c}), 0)"))
            .collect();
        if sizes.is_empty() {
            return "false".into();
        }
        format!(
            "{} OPERATOR(pg_catalog.>) (SELECT pg_catalog.current_setting('block_size')::pg_catalog.int4 OPERATOR(pg_catalog./) 4 OPERATOR(pg_catalog.-) {})",
            sizes.join(" OPERATOR(pg_catalog.+) "),
            32 * (self.segments.len() + 1)
        )
    }

    /// Data's rows made of `rows` (a query of key columns and `summary`): those whose key fits
    /// data's index go into data, the others into delta as one pending row.
    pub fn insert(&self, rows: &str) -> String {
        format!(
            "WITH rows AS ({rows}),
parked AS ({park})
INSERT INTO {data} ({cols}, summary) SELECT * FROM rows r WHERE NOT ({wide}) ORDER BY 1",
            park = self.append(&format!(
                "SELECT {}, r.summary AS plus, NULL::{} AS minus FROM rows r WHERE {}",
                self.keys("r"),
                self.summary_type(),
                self.too_wide("r")
            )),
            data = self.data,
            cols = self.columns(),
            wide = self.too_wide("r"),
        )
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

    /// The changes still pending. Read in the order of delta's index, so that the planner may
    /// read them through it: the table is never truncated, and after a burst of writes its
    /// pages stay, empty, which a sequential scan by every reader would read all of (1.3 s a
    /// query over 2.7 GB left by a minute of writes spread over three years).
    fn pending(&self) -> String {
        self.parts(&format!(
            "SELECT * FROM {} ORDER BY nps_live_writer",
            self.delta
        ))
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

    /// CREATE INDEX of data by bucket.
    pub fn bucket_index(&self, name: &str) -> String {
        format!("CREATE INDEX {name} ON {} (bucket)", self.data)
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

    /// The view's query: exact in any snapshot. The pending changes are read once and summed
    /// per key. With none, data is read as it is. Otherwise each pending key is merged with its
    /// row of data, found through data's unique index (so NULL keys too), and the rows of data
    /// so found are left out of the rest by their ctid, the same version in one snapshot: a
    /// hash of one small column, whatever the key's types. `LIMIT 1` (at most one row matches)
    /// keeps each a lookup by the index, where stale estimates of the pending keys could
    /// otherwise make the planner hash all of data.
    pub fn view(&self) -> String {
        let ext = &self.ext;
        format!(
            "WITH pending AS MATERIALIZED (
SELECT {c_keys}, {ext}.rollup(c.plus) AS plus, {ext}.rollup(c.minus) AS minus
  FROM ({parts}) c
 GROUP BY {c_keys}),
merged AS MATERIALIZED (
SELECT {p_keys}, f.ctid AS row, {ext}.nps_live_apply(f.summary, p.plus, p.minus) AS summary
  FROM pending p LEFT JOIN LATERAL (SELECT f.ctid, f.summary FROM {data} f WHERE {p_is_f} LIMIT 1) f ON true)
SELECT {f_keys}, f.summary
  FROM {data} f
 WHERE NOT EXISTS (SELECT FROM pending)
UNION ALL
SELECT {f_keys}, f.summary
  FROM {data} f
 WHERE EXISTS (SELECT FROM pending)
   AND NOT EXISTS (SELECT FROM merged m WHERE m.row OPERATOR(pg_catalog.=) f.ctid)
UNION ALL
SELECT {m_keys}, m.summary
  FROM merged m
 WHERE {ext}.nps_responses(m.summary) OPERATOR(pg_catalog.>) 0",
            parts = self.pending(),
            c_keys = self.keys("c"),
            f_keys = self.keys("f"),
            p_keys = self.keys("p"),
            m_keys = self.keys("m"),
            p_is_f = self.same_key("p", "f"),
            data = self.data,
        )
    }

    /// Take every pending change visible now: delete the delta rows, returning their parts.
    pub fn take(&self) -> String {
        format!(
            "DELETE FROM {} t WHERE {} RETURNING t.nps_live_plus, t.nps_live_minus",
            self.delta,
            self.pending_rows("t")
        )
    }

    /// Merge changes into data, in one statement: `$1` is an array of data's rows, a key and
    /// the summary of the answers in (or NULL) each, `$2` the summaries of the answers out, in
    /// the same order (or NULL). Update the keys data has, delete those left without responses
    /// (`minus`: any answers went out) and insert the new ones. Runs under the live summary's
    /// fold lock, so no other fold writes data meanwhile. The arrays come as constants, so
    /// the planner knows how many changes there are: a few are looked up through data's index,
    /// many are joined with all of data at once. The keys come once each when their values'
    /// bytes decide equality (`exact`); otherwise a key spelled differently (numeric 1.0 and
    /// 1.00) may come several times, and they are grouped as GROUP BY groups.
    pub fn merge(&self, exact: bool, minus: bool) -> String {
        let ext = &self.ext;
        let apply = format!("{ext}.nps_live_apply(f.summary, c.plus, c.minus)");
        let rows = format!(
            "ROWS FROM (pg_catalog.unnest($1::{}[]), pg_catalog.unnest($2::{}[])) c({}, plus, minus)",
            self.data,
            self.summary_type(),
            self.columns()
        );
        let changes = if exact {
            format!("SELECT * FROM {rows}")
        } else {
            format!(
                "SELECT {c_keys}, {ext}.rollup(c.plus) AS plus, {ext}.rollup(c.minus) AS minus FROM {rows} GROUP BY {c_keys}",
                c_keys = self.keys("c")
            )
        };
        let (keep, emptied, not_emptied) = if minus {
            (
                format!(" AND (c.minus IS NULL OR {ext}.nps_responses({apply}) OPERATOR(pg_catalog.>) 0)"),
                format!(
                    ",
emptied AS (
    DELETE FROM {data} f USING changes c
     WHERE c.minus IS NOT NULL AND {c_is_f} AND {ext}.nps_responses({apply}) OPERATOR(pg_catalog.=) 0
    RETURNING {f_keys})",
                    data = self.data,
                    c_is_f = self.same_key("c", "f"),
                    f_keys = self.keys("f"),
                ),
                format!(" AND NOT EXISTS (SELECT FROM emptied f WHERE {})", self.same_key("c", "f")),
            )
        } else {
            Default::default()
        };
        format!(
            "WITH incoming AS ({changes}),
changes AS (SELECT * FROM incoming c WHERE NOT ({wide})),
parked AS ({park}),
kept AS (
    UPDATE {data} f SET summary = {apply} FROM changes c
     WHERE {c_is_f}{keep}
    RETURNING {f_keys}){emptied}
INSERT INTO {data} ({cols}, summary)
SELECT {c_keys}, {ext}.nps_live_apply(NULL, c.plus, c.minus) FROM changes c
 WHERE NOT EXISTS (SELECT FROM kept f WHERE {c_is_f}){not_emptied}
   AND {ext}.nps_responses({ext}.nps_live_apply(NULL, c.plus, c.minus)) OPERATOR(pg_catalog.>) 0",
            data = self.data,
            cols = self.columns(),
            c_keys = self.keys("c"),
            f_keys = self.keys("f"),
            c_is_f = self.same_key("c", "f"),
            wide = self.too_wide("c"),
            park = self.append(&format!(
                "SELECT {}, c.plus, c.minus FROM incoming c WHERE {}",
                self.keys("c"),
                self.too_wide("c")
            )),
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
             FROM (SELECT * FROM public.l_delta ORDER BY nps_live_writer) d CROSS JOIN LATERAL pg_catalog.unnest(d.nps_live_plus) p
UNION ALL
SELECT m.bucket, m.plan, NULL::ext.nps_summary, m.summary \
             FROM (SELECT * FROM public.l_delta ORDER BY nps_live_writer) d CROSS JOIN LATERAL pg_catalog.unnest(d.nps_live_minus) m"
        );
    }

    #[test]
    fn merge_groups_only_inexact_keys_and_deletes_only_when_answers_went_out() {
        let s = storage(&["plan"]);
        let exact_in = s.merge(true, false);
        assert!(exact_in.starts_with(
            "WITH incoming AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($1::public.l_data[]), \
             pg_catalog.unnest($2::ext.nps_summary[])) c(bucket, plan, plus, minus)),"
        ));
        assert!(!exact_in.contains("GROUP BY") && !exact_in.contains("DELETE"));
        let grouped_out = s.merge(false, true);
        assert!(grouped_out.contains("ext.rollup(c.minus) AS minus FROM ROWS FROM"));
        assert!(grouped_out.contains("GROUP BY c.bucket, c.plan"));
        assert!(
            grouped_out.contains("emptied AS (\n    DELETE FROM public.l_data f USING changes c")
        );
        assert!(grouped_out.contains("AND NOT EXISTS (SELECT FROM emptied f WHERE"));
    }

    #[test]
    fn keys_too_wide_for_the_index_stay_pending() {
        let s = storage(&["plan", "note"]);
        let wide = "COALESCE(pg_catalog.pg_column_size(c.plan), 0) OPERATOR(pg_catalog.+) \
                    COALESCE(pg_catalog.pg_column_size(c.note), 0) OPERATOR(pg_catalog.>) \
                    (SELECT pg_catalog.current_setting('block_size')::pg_catalog.int4 OPERATOR(pg_catalog./) 4 \
                    OPERATOR(pg_catalog.-) 96)";
        assert_eq!(s.too_wide("c"), wide);
        // a fold sends the keys that fit to data, the others back to delta, in one row
        let merge = s.merge(true, true);
        assert!(merge.contains(&format!(
            "changes AS (SELECT * FROM incoming c WHERE NOT ({wide})),\nparked AS (INSERT INTO public.l_delta"
        )));
        assert!(merge.contains(&format!("FROM incoming c WHERE {wide}) x")));
        // and so does the first fill
        let insert = s.insert("SELECT 1");
        assert!(
            insert.starts_with("WITH rows AS (SELECT 1),\nparked AS (INSERT INTO public.l_delta")
        );
        assert!(insert.ends_with(&format!(
            "INSERT INTO public.l_data (bucket, plan, note, summary) SELECT * FROM rows r WHERE NOT ({}) ORDER BY 1",
            s.too_wide("r")
        )));
        // keys of the bucket alone always fit
        assert_eq!(storage(&[]).too_wide("c"), "false");
    }

    #[test]
    fn view_merges_pending_keys_found_by_the_index_and_leaves_their_rows_out() {
        let s = storage(&["plan"]);
        let view = s.view();
        assert!(view.starts_with(
            "WITH pending AS MATERIALIZED (\nSELECT c.bucket, c.plan, ext.rollup(c.plus) AS plus"
        ));
        // each pending key merged with its row of data, looked up NULL-safely, one key at a time
        assert!(view.contains(&format!(
            "FROM pending p LEFT JOIN LATERAL (SELECT f.ctid, f.summary FROM public.l_data f WHERE {} LIMIT 1) f ON true)",
            s.same_key("p", "f")
        )));
        // data as it is while nothing is pending, else without the rows merged
        assert!(view
            .contains("FROM public.l_data f\n WHERE NOT EXISTS (SELECT FROM pending)\nUNION ALL"));
        assert!(view.contains(
            "WHERE EXISTS (SELECT FROM pending)\n   \
             AND NOT EXISTS (SELECT FROM merged m WHERE m.row OPERATOR(pg_catalog.=) f.ctid)\nUNION ALL"
        ));
        assert!(view.ends_with(
            "FROM merged m\n WHERE ext.nps_responses(m.summary) OPERATOR(pg_catalog.>) 0"
        ));
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
