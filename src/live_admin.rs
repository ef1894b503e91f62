//! Creating, checking, refreshing and dropping live summaries: `nps_live_summary`,
//! `nps_live_summary_check`, `nps_live_summary_refresh` and `nps_live_summary_drop`.
//!
//! Only the source's owner (a role with its privileges) creates, refreshes or drops one, and
//! everything is created as that owner, whoever calls: the live view `<source>_nps_live` (or
//! `target`), its data `<live>_data`, pending changes `<live>_delta`, configuration
//! `<live>_config`, and the triggers on the source and each of its partitions. A call on a
//! new table of a dropped source's name finds what the old one left (the configuration table
//! is the marker) and reuses it when it has the same shape, so grants and views on the live
//! view survive an ETL job's DROP and CREATE; a 0.2.0 live table at the name is moved into the
//! new design with its data, grants and the views built on it.

use crate::acting::{may_act_as, AsOwner};
use crate::live_bucket::{self, TimeKind};
use crate::live_config::{self, literal, quote, Config, Live};
use crate::live_sql::{Source, Storage};
use pgrx::datum::DatumWithOid;
use pgrx::prelude::*;
use pgrx::spi::{Spi, SpiClient};
use pgrx::{FromDatum, IntoDatum, PgSqlErrorCode};
use std::ffi::CStr;

fn fail(code: PgSqlErrorCode, message: String) -> ! {
    ereport!(ERROR, code, message);
}

fn fail_hint(code: PgSqlErrorCode, message: String, hint: &str) -> ! {
    // (ereport!'s fourth argument would be the DETAIL)
    pgrx::pg_sys::panic::ErrorReport::new(code, message, pgrx::function_name!())
        .set_hint(hint)
        .report(pgrx::PgLogLevel::ERROR);
    unreachable!("an ERROR does not return");
}

fn oid_arg(oid: pg_sys::Oid) -> DatumWithOid<'static> {
    unsafe { DatumWithOid::new(oid, pg_sys::OIDOID) }
}

/// Run SQL that must work; an error in it is the caller's error.
fn run(client: &mut SpiClient, sql: &str) {
    client
        .update(sql, None, &[])
        .unwrap_or_else(|e| error!("{e}"));
}

// ---- arguments of the V1 functions ----

unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<pg_sys::Datum> {
    unsafe {
        let a = (*fcinfo).args.as_slice((*fcinfo).nargs as usize)[i];
        (!a.isnull).then_some(a.value)
    }
}

unsafe fn name_of(datum: pg_sys::Datum) -> String {
    unsafe {
        CStr::from_ptr(datum.cast_mut_ptr())
            .to_string_lossy()
            .into_owned()
    }
}

unsafe fn names_of(datum: pg_sys::Datum) -> Vec<Option<String>> {
    unsafe {
        let array = pgrx::Array::<pg_sys::Datum>::from_polymorphic_datum(
            datum,
            false,
            pg_sys::NAMEARRAYOID,
        )
        .expect("not NULL");
        array.iter().map(|d| d.map(|d| name_of(d))).collect()
    }
}

// ---- the source ----

/// What creating or dropping a live summary needs to know of its source.
struct SourceTable {
    oid: pg_sys::Oid,
    /// as the caller's search_path shows it, for messages
    name: String,
    /// schema-qualified and quoted, for SQL
    qualified: String,
    relname: String,
    schema: String,
    owner: pg_sys::Oid,
    unlogged: bool,
}

fn source_table(source: pg_sys::Oid) -> SourceTable {
    let row = Spi::connect(|client| {
        let rows = client.select(
            "SELECT c.relname::text, n.nspname::text, c.relkind::text, c.relpersistence::text, c.relispartition,
                    EXISTS (SELECT FROM pg_catalog.pg_inherits h WHERE h.inhparent = c.oid OR h.inhrelid = c.oid)
                      AND c.relkind <> 'p' AND NOT c.relispartition,
                    c.relowner, c.oid::pg_catalog.regclass::text,
                    (SELECT p::pg_catalog.regclass::text FROM pg_catalog.pg_partition_root(c.oid) p WHERE c.relispartition)
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1",
            None,
            &[oid_arg(source)],
        )?;
        let r = rows.first();
        Ok::<_, pgrx::spi::Error>((
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<String>(3)?,
            r.get::<String>(4)?,
            r.get::<bool>(5)?,
            r.get::<bool>(6)?,
            r.get::<pg_sys::Oid>(7)?,
            r.get::<String>(8)?,
            r.get::<String>(9)?,
        ))
    })
    .unwrap_or_else(|e| error!("{e}"));
    let (
        Some(relname),
        Some(schema),
        Some(kind),
        Some(persistence),
        Some(partition),
        Some(inherits),
        Some(owner),
        Some(name),
        root,
    ) = row
    else {
        fail(
            PgSqlErrorCode::ERRCODE_UNDEFINED_TABLE,
            format!("relation with OID {} does not exist", source.to_u32()),
        );
    };
    if partition {
        fail_hint(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{name} is a partition of {}", root.unwrap_or_default()),
            "Keep the live summary of the partitioned table: it covers every partition.",
        );
    } else if inherits {
        fail_hint(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{name} is in an inheritance tree"),
            "Statement triggers on a parent miss rows written to a child directly; partition the table instead.",
        );
    } else if kind != "r" && kind != "p" {
        fail(
            PgSqlErrorCode::ERRCODE_WRONG_OBJECT_TYPE,
            format!("{name} is not a table"),
        );
    } else if persistence == "t" {
        fail(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{name} is a temporary table"),
        );
    }
    let qualified = format!("{}.{}", quote(&schema), quote(&relname));
    SourceTable {
        oid: source,
        name,
        qualified,
        relname,
        schema,
        owner,
        unlogged: persistence == "u",
    }
}

fn must_own(table: &SourceTable, what: &str) {
    if !may_act_as(table.owner) {
        fail_hint(
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            format!("must be owner of table {} to {what} its live summary", table.name),
            "Only the table's owner (or a member of the owning role) creates, refreshes and drops a live summary; the TRIGGER privilege is not enough.",
        );
    }
}

/// The names of a live summary's relations.
struct Names {
    live: String,
    data: String,
    delta: String,
    config: String,
    key: String,
    bucket_index: String,
    delta_index: String,
}

impl Names {
    fn of(live: &str) -> Names {
        let n = Names {
            live: live.to_string(),
            data: format!("{live}_data"),
            delta: format!("{live}_delta"),
            config: format!("{live}_config"),
            key: format!("{live}_data_key"),
            bucket_index: format!("{live}_data_bucket"),
            delta_index: format!("{live}_delta_key"),
        };
        let longest = [
            &n.data,
            &n.delta,
            &n.config,
            &n.key,
            &n.bucket_index,
            &n.delta_index,
        ]
        .into_iter()
        .max_by_key(|name| name.len())
        .expect("names");
        if longest.len() > 63 {
            fail_hint(
                PgSqlErrorCode::ERRCODE_NAME_TOO_LONG,
                format!(
                    "the live summary's name \"{live}\" leaves no room for \"{longest}\" within 63 bytes"
                ),
                &format!(
                    "Name it with target => a name of at most {} bytes.",
                    63 - (longest.len() - live.len())
                ),
            );
        }
        n
    }
}

/// A relation in a schema, if it exists: oid, relkind, owner, comment.
fn existing(
    schema: &str,
    name: &str,
) -> Option<(pg_sys::Oid, String, pg_sys::Oid, Option<String>)> {
    Spi::connect(|client| {
        let rows = client.select(
            "SELECT c.oid, c.relkind::text, c.relowner, pg_catalog.obj_description(c.oid, 'pg_class')
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relname = $2",
            None,
            &[schema.into(), name.into()],
        )?;
        if rows.is_empty() {
            return Ok::<_, pgrx::spi::Error>(None);
        }
        let r = rows.first();
        Ok(Some((r.get(1)?.unwrap(), r.get(2)?.unwrap(), r.get(3)?.unwrap(), r.get::<String>(4)?)))
    })
    .unwrap_or_else(|e| error!("{e}"))
}

/// Comments that mark what a live summary made (only the owner can set them).
const MARK: &str = "nps_ext live summary";

fn ours(comment: &Option<String>) -> bool {
    comment.as_deref().is_some_and(|c| c.contains(MARK))
}

/// The definition asked for, checked.
struct Definition {
    score: String,
    time: String,
    weight: Option<String>,
    segments: Vec<String>,
    /// attnums of score, time, weight (0 when none), segments
    attnums: Vec<i16>,
    kind: TimeKind,
    bucket_text: String,
    time_zone: Option<String>,
    /// `name type [COLLATE ...]` of each segment, for the storage's columns
    segment_defs: Vec<String>,
    segment_types: Vec<String>,
}

fn definition(
    table: &SourceTable,
    score: &str,
    time: &str,
    bucket: pg_sys::Datum,
    weight: Option<&str>,
    segments: &[String],
) -> Definition {
    let mut attnums = Vec::new();
    let mut segment_defs = Vec::new();
    let mut segment_types = Vec::new();
    let mut kind = TimeKind::Date;
    let roles = [
        ("score", Some(score)),
        ("time", Some(time)),
        ("weight", weight),
    ];
    let all = roles
        .iter()
        .map(|&(r, n)| (r, n))
        .chain(segments.iter().map(|s| ("segment", Some(s.as_str()))));
    for (position, (role, name)) in all.enumerate() {
        let Some(name) = name else {
            attnums.push(0);
            continue;
        };
        let column = live_config::column(table.oid, name).unwrap_or_else(|e| {
            if e.contains("virtual generated") {
                fail_hint(
                    PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
                    format!("column \"{name}\" of relation {} is a virtual generated column", table.name),
                    "A virtual column has no value in a trigger's rows; make it a stored generated column.",
                );
            }
            fail(
                PgSqlErrorCode::ERRCODE_UNDEFINED_COLUMN,
                format!("column \"{name}\" of relation {} does not exist", table.name),
            )
        });
        let type_name = Spi::get_one_with_args::<String>(
            "SELECT pg_catalog.format_type($1, NULL)",
            &[oid_arg(column.typid)],
        )
        .ok()
        .flatten()
        .unwrap_or_default();
        let mismatch = |what: &str, hint: &str| -> ! {
            fail_hint(
                PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
                format!("{what} column \"{name}\" is of type {type_name}"),
                hint,
            )
        };
        match role {
            "score" if !live_config::score_type_ok(column.base) => mismatch(
                "score",
                "NPS answers are smallint, integer, bigint, numeric, real or double precision.",
            ),
            "time" => {
                kind = TimeKind::of_type(column.base).unwrap_or_else(|| {
                    mismatch(
                        "time",
                        "The time of an answer is a date, timestamp or timestamptz.",
                    )
                })
            }
            "weight" if !live_config::weight_type_ok(column.base) => {
                mismatch("weight", "A survey weight is a number.")
            }
            "segment" => {
                let earlier = &segments[..position - 3];
                if name == "bucket"
                    || name == "summary"
                    || name.starts_with("nps_live_")
                    || earlier.iter().any(|s| s == name)
                {
                    fail_hint(
                        PgSqlErrorCode::ERRCODE_DUPLICATE_COLUMN,
                        format!("segment \"{name}\" is given twice or is a column of the live summary"),
                        "The live summary has the columns bucket and summary, and names its own columns nps_live_*.",
                    );
                }
                let def = Spi::get_one_with_args::<String>(
                    "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod)
                            || coalesce(' COLLATE ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname), '')
                       FROM pg_catalog.pg_attribute a
                       LEFT JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation
                       LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
                      WHERE a.attrelid = $1 AND a.attnum = $2",
                    &[oid_arg(table.oid), column.attnum.into()],
                )
                .ok()
                .flatten()
                .unwrap_or_default();
                segment_types.push(def.clone());
                segment_defs.push(format!("{} {def}", quote(name)));
            }
            _ => {}
        }
        attnums.push(column.attnum);
    }
    let interval = unsafe { &*(bucket.cast_mut_ptr::<pg_sys::Interval>()) };
    let bucket_text = Spi::get_one_with_args::<String>(
        "SELECT $1::text",
        &[unsafe { DatumWithOid::new(bucket, pg_sys::INTERVALOID) }],
    )
    .ok()
    .flatten()
    .unwrap_or_default();
    let infinite = (interval.month, interval.day, interval.time) == (i32::MAX, i32::MAX, i64::MAX)
        || (interval.month, interval.day, interval.time) == (i32::MIN, i32::MIN, i64::MIN);
    if infinite {
        fail(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("bucket {bucket_text} is not a finite interval"),
        );
    }
    live_bucket::width_of(interval, kind, &bucket_text);
    let time_zone = (kind == TimeKind::Timestamptz).then(|| {
        Spi::get_one::<String>("SELECT pg_catalog.current_setting('TimeZone')")
            .ok()
            .flatten()
            .unwrap_or_default()
    });
    Definition {
        score: score.into(),
        time: time.into(),
        weight: weight.map(String::from),
        segments: segments.to_vec(),
        attnums,
        kind,
        bucket_text,
        time_zone,
        segment_defs,
        segment_types,
    }
}

// ---- creating ----

/// The relations of a live summary and the SQL of its storage.
struct Plan<'a> {
    table: &'a SourceTable,
    def: &'a Definition,
    names: Names,
    ext: String,
    storage: Storage,
}

impl Plan<'_> {
    fn qualified(&self, name: &str) -> String {
        format!("{}.{}", quote(&self.table.schema), quote(name))
    }

    fn persistence(&self) -> &'static str {
        if self.table.unlogged {
            "UNLOGGED "
        } else {
            ""
        }
    }

    fn time_type(&self) -> &'static str {
        self.def.kind.sql_name()
    }

    fn create_data(&self, client: &mut SpiClient) {
        let mut columns = vec![format!("bucket {}", self.time_type())];
        columns.extend(self.def.segment_defs.iter().cloned());
        columns.push(format!("summary {}.nps_summary NOT NULL", self.ext));
        run(
            client,
            &format!(
                "CREATE {}TABLE {} ({})",
                self.persistence(),
                self.storage.data,
                columns.join(", ")
            ),
        );
        self.set_up_data(client);
        self.comment(
            client,
            "TABLE",
            &self.storage.data,
            "its folded summaries, one row per bucket and segments",
        );
    }

    /// What data needs besides its columns: its key, whole rows in replication (subscribers'
    /// row triggers read them), room on each page so that a fold's update of a key stays on
    /// its page (a HOT update, which leaves the indexes alone), and an index of the buckets,
    /// so that a dashboard of the last year reads that year's pages only (data is filled in
    /// the order of its buckets, and new keys mostly come with the newest buckets).
    fn set_up_data(&self, client: &mut SpiClient) {
        run(
            client,
            &format!("ALTER TABLE {} SET (fillfactor = 50)", self.storage.data),
        );
        whole_rows_in_replication(client, &self.storage.data);
        run(client, &self.storage.key_index(&quote(&self.names.key)));
        run(
            client,
            &self.storage.bucket_index(&quote(&self.names.bucket_index)),
        );
    }

    fn create_delta(&self, client: &mut SpiClient) {
        // A statement's row over 100 keys takes 5.6 kB, a page to itself; lz4 makes it some
        // 1.7 kB, four to a page: less to write, to log and to keep between folds. Measured
        // on 20,000 such rows: 0.16 s to insert them with lz4, 0.29 s as they are, 0.58 s with
        // pglz. So where the server has no lz4, rows stay as they are up to a page.
        let lz4 = client
            .select(
                "SELECT 'lz4' OPERATOR(pg_catalog.=) ANY (enumvals) FROM pg_catalog.pg_settings WHERE name OPERATOR(pg_catalog.=) 'default_toast_compression'",
                None,
                &[],
            )
            .and_then(|r| r.first().get_one::<bool>())
            .ok()
            .flatten()
            .unwrap_or(false);
        let (compression, target) = if lz4 {
            (" COMPRESSION lz4", "")
        } else {
            ("", "toast_tuple_target = 8160, ")
        };
        // per key, the answers that came in and those that went out, as rows of data's type
        let columns = [
            format!("nps_live_plus {}[]{compression}", self.storage.data),
            format!("nps_live_minus {}[]{compression}", self.storage.data),
            "nps_live_writer bigint NOT NULL".to_string(),
        ];
        // Every row is deleted by the next fold: vacuumed often, never truncated (that would
        // take a lock readers and writers wait for). Every query of the view reads it, and what
        // it holds is little: never with parallel workers.
        run(
            client,
            &format!(
                "CREATE {}TABLE {} ({}) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0, \
                 autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000, vacuum_truncate = false, \
                 {}parallel_workers = 0)",
                self.persistence(),
                self.storage.delta,
                columns.join(", "),
                target,
            ),
        );
        run(
            client,
            &self.storage.delta_index(&quote(&self.names.delta_index)),
        );
        whole_rows_in_replication(client, &self.storage.delta);
        // The planner's guess of the pending rows, until autovacuum counts them: from the
        // columns' types it would guess some 80 rows a page, where a delta row takes a seventh
        // of a page or all of it, and plan the view for thousands of pending keys (sorts,
        // merge joins). One row counted on one page makes it guess a row a page.
        run(
            client,
            &format!(
                "INSERT INTO {} (nps_live_writer) VALUES (0)",
                self.storage.delta
            ),
        );
        run(client, &format!("ANALYZE {}", self.storage.delta));
        run(client, &format!("DELETE FROM {}", self.storage.delta));
        self.comment(
            client,
            "TABLE",
            &self.storage.delta,
            "changes its triggers appended and no fold has taken yet",
        );
    }

    fn create_config(&self, client: &mut SpiClient) {
        let config = self.qualified(&self.names.config);
        // its one row is updated at every fold, and pruned as it is; left to autovacuum, it
        // would be vacuumed or analyzed every minute, and each time every writer would find
        // its live summary again (milliseconds), as an invalidation of it says to
        run(
            client,
            &format!(
                "CREATE TABLE {config} ({}) WITH (autovacuum_enabled = false)",
                live_config::CONFIG_COLUMNS
            ),
        );
        whole_rows_in_replication(client, &config);
        self.comment(
            client,
            "TABLE",
            &config,
            "its configuration, which its triggers read",
        );
        run(client, &format!(
            "INSERT INTO {config} VALUES ({source}, {source_name}, '', '', NULL, '{{}}', '{{}}', '1 day', NULL, {live}::pg_catalog.regclass,
                                          {data}::pg_catalog.regclass, {delta}::pg_catalog.regclass, {format})",
            source = self.table.oid.to_u32(),
            source_name = literal(&self.table.qualified),
            live = literal(&self.storage.live),
            data = literal(&self.storage.data),
            delta = literal(&self.storage.delta),
            format = live_config::FORMAT,
        ));
        self.write_config(client);
    }

    /// Write the definition and source into the configuration (new or reused).
    fn write_config(&self, client: &mut SpiClient) {
        let def = self.def;
        let segments: Vec<String> = def.segments.iter().map(|s| literal(s)).collect();
        run(client, &format!(
            "UPDATE {} SET source = {}, source_name = {}, score_column = {}, time_column = {}, weight_column = {},
                    segments = ARRAY[{}]::pg_catalog.name[], attnums = '{{{}}}', bucket = {}, time_zone = {},
                    live = {}::pg_catalog.regclass, data = {}::pg_catalog.regclass, delta = {}::pg_catalog.regclass",
            self.qualified(&self.names.config),
            self.table.oid.to_u32(),
            literal(&self.table.qualified),
            literal(&def.score),
            literal(&def.time),
            def.weight.as_deref().map_or("NULL".into(), literal),
            segments.join(", "),
            def.attnums.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(","),
            literal(&def.bucket_text),
            def.time_zone.as_deref().map_or("NULL".into(), literal),
            literal(&self.storage.live),
            literal(&self.storage.data),
            literal(&self.storage.delta),
        ));
    }

    /// The view users read (replaced in place when it exists: its grants and the views on it stay).
    fn create_view(&self, client: &mut SpiClient) {
        run(
            client,
            &format!(
                "CREATE OR REPLACE VIEW {} AS {}",
                self.storage.live,
                self.storage.view()
            ),
        );
        let comment = format!(
            "NPS summaries of {}: answers {}{} by {} of {} ({}){}. Exact at every moment; kept by the triggers nps_live_* of {}. Remove with nps_live_summary_drop({}).",
            self.table.name,
            quote(&self.def.score),
            self.def.weight.as_deref().map_or(String::new(), |w| format!(" weighted by {}", quote(w))),
            self.def.bucket_text,
            quote(&self.def.time),
            bucket_rule(self.def),
            if self.def.segments.is_empty() {
                String::new()
            } else {
                format!(" and {}", self.def.segments.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
            },
            self.table.name,
            literal(&self.table.name),
        );
        run(
            client,
            &format!(
                "COMMENT ON VIEW {} IS {}",
                self.storage.live,
                literal(&format!("{comment} ({MARK})"))
            ),
        );
    }

    fn comment(&self, client: &mut SpiClient, kind: &str, relation: &str, what: &str) {
        run(
            client,
            &format!(
                "COMMENT ON {kind} {relation} IS {}",
                literal(&format!(
                    "{MARK} {}: {what}; read it through the view",
                    self.storage.live
                ))
            ),
        );
    }

    fn config_name(&self) -> String {
        self.qualified(&self.names.config)
    }

    /// Fill empty live data from the source, as its owner, in the order of the buckets.
    fn fill(&self, client: &mut SpiClient) {
        let source = self.source_sql(&self.table.qualified);
        run(
            client,
            &self.storage.insert(&self.storage.recompute(&source, "")),
        );
    }

    fn source_sql(&self, relation: &str) -> Source {
        Source {
            relation: relation.to_string(),
            time: quote(&self.def.time),
            score: quote(&self.def.score),
            weight: self.def.weight.as_deref().map(quote),
            segments: self.def.segments.iter().map(|s| quote(s)).collect(),
            bucket_args: live_config::bucket_args(
                &self.def.bucket_text,
                self.def.time_zone.as_deref(),
            ),
        }
    }
}

fn bucket_rule(def: &Definition) -> String {
    let interval = def.bucket_text.as_str();
    let months = interval.contains("mon") || interval.contains("year");
    let mut rule = if months {
        "whole months counted in blocks from January 2000".to_string()
    } else {
        "blocks of that length from Monday 2000-01-03 00:00".to_string()
    };
    if let Some(z) = &def.time_zone {
        rule.push_str(&format!(", in time zone {z}"));
    }
    rule
}

/// Install the triggers on the source and every member of its partition tree that lacks them,
/// with the enabled states they need: statement triggers for ordinary sessions, row triggers
/// for replication (REPLICA), TRUNCATE in both (ALWAYS). Each keeps every live summary of the
/// source (`configs`, one argument each, named as they are now): a trigger that keeps others is
/// made again. Returns how many relations got some.
fn install_triggers(
    client: &mut SpiClient,
    root: pg_sys::Oid,
    ext: &str,
    configs: &[pg_sys::Oid],
) -> i64 {
    let configs: Vec<String> = configs
        .iter()
        .map(|&c| live_config::relation_text(c))
        .collect();
    // tgargs: each argument followed by a zero byte
    let args: Vec<u8> = configs
        .iter()
        .flat_map(|c| c.bytes().chain(std::iter::once(0)))
        .collect();
    let members = client
        .select(
            "SELECT t.relid::pg_catalog.regclass::text, t.relid = $1, t.isleaf, c.relkind::text,
                    (SELECT pg_catalog.array_agg(g.tgname::text) FROM pg_catalog.pg_trigger g
                      WHERE g.tgrelid = t.relid AND g.tgname::text LIKE 'nps\\_live\\_%' AND NOT g.tgisinternal),
                    (SELECT pg_catalog.array_agg(g.tgname::text) FROM pg_catalog.pg_trigger g
                      WHERE g.tgrelid = t.relid AND g.tgname::text LIKE 'nps\\_live\\_%' AND NOT g.tgisinternal
                        AND g.tgargs OPERATOR(pg_catalog.=) $2)
               FROM pg_catalog.pg_partition_tree($1) t JOIN pg_catalog.pg_class c ON c.oid = t.relid
              UNION ALL
             SELECT $1::pg_catalog.regclass::text, true, true, c.relkind::text,
                    (SELECT pg_catalog.array_agg(g.tgname::text) FROM pg_catalog.pg_trigger g
                      WHERE g.tgrelid = $1 AND g.tgname::text LIKE 'nps\\_live\\_%' AND NOT g.tgisinternal),
                    (SELECT pg_catalog.array_agg(g.tgname::text) FROM pg_catalog.pg_trigger g
                      WHERE g.tgrelid = $1 AND g.tgname::text LIKE 'nps\\_live\\_%' AND NOT g.tgisinternal
                        AND g.tgargs OPERATOR(pg_catalog.=) $2)
               FROM pg_catalog.pg_class c WHERE c.oid = $1 AND c.relkind <> 'p' AND NOT c.relispartition",
            None,
            &[
                unsafe { DatumWithOid::new(root, pg_sys::REGCLASSOID) },
                args.into(),
            ],
        )
        .unwrap_or_else(|e| error!("{e}"))
        .map(|r| {
            (
                r.get::<String>(1).ok().flatten().unwrap_or_default(),
                r.get::<bool>(2).ok().flatten().unwrap_or(false),
                r.get::<bool>(3).ok().flatten().unwrap_or(false),
                r.get::<String>(4).ok().flatten().unwrap_or_default(),
                r.get::<Vec<String>>(5).ok().flatten().unwrap_or_default(),
                r.get::<Vec<String>>(6).ok().flatten().unwrap_or_default(),
            )
        })
        .collect::<Vec<_>>();
    let call = format!(
        "{ext}.nps_live_maintain({})",
        configs
            .iter()
            .map(|c| literal(c))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut installed = 0;
    for (relation, is_root, leaf, kind, present, have) in members {
        if kind == "f" {
            continue; // foreign tables take no transition tables: rows routed through the parent count
        }
        let mut wanted: Vec<(&str, String, Option<&str>)> = vec![
            ("nps_live_insert", "AFTER INSERT ON {r} REFERENCING NEW TABLE AS nps_new FOR EACH STATEMENT".into(), None),
            ("nps_live_update", "AFTER UPDATE ON {r} REFERENCING OLD TABLE AS nps_old NEW TABLE AS nps_new FOR EACH STATEMENT".into(), None),
            ("nps_live_delete", "AFTER DELETE ON {r} REFERENCING OLD TABLE AS nps_old FOR EACH STATEMENT".into(), None),
        ];
        if is_root {
            wanted.push((
                "nps_live_truncate",
                "AFTER TRUNCATE ON {r} FOR EACH STATEMENT".into(),
                Some("ALWAYS"),
            ));
            for (name, event) in [
                ("nps_live_replica_insert", "INSERT"),
                ("nps_live_replica_update", "UPDATE"),
                ("nps_live_replica_delete", "DELETE"),
            ] {
                wanted.push((
                    name,
                    format!("AFTER {event} ON {{r}} FOR EACH ROW"),
                    Some("REPLICA"),
                ));
            }
        } else if leaf {
            wanted.push((
                "nps_live_truncate",
                "BEFORE TRUNCATE ON {r} FOR EACH STATEMENT".into(),
                Some("ALWAYS"),
            ));
        }
        let mut any = false;
        for (name, shape, enabled) in &wanted {
            if !have.iter().any(|h| h == name) {
                // it keeps other live summaries than these (one was added or dropped)
                if present.iter().any(|h| h == name) {
                    run(client, &format!("DROP TRIGGER {name} ON {relation}"));
                }
                run(
                    client,
                    &format!(
                        "CREATE TRIGGER {name} {} EXECUTE FUNCTION {call}",
                        shape.replace("{r}", &relation)
                    ),
                );
                any = true;
            }
            if let Some(state) = enabled {
                run(
                    client,
                    &format!("ALTER TABLE {relation} ENABLE {state} TRIGGER {name}"),
                );
            }
        }
        // a partition's clones of the root's row triggers take the root's enabled state
        if !is_root {
            for name in [
                "nps_live_replica_insert",
                "nps_live_replica_update",
                "nps_live_replica_delete",
            ] {
                if have.iter().any(|h| h == name) || any {
                    let exists = client
                        .select(
                            "SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = $1::pg_catalog.regclass AND tgname = $2",
                            None,
                            &[relation.as_str().into(), name.into()],
                        )
                        .map(|r| !r.is_empty())
                        .unwrap_or(false);
                    if exists {
                        run(
                            client,
                            &format!("ALTER TABLE {relation} ENABLE REPLICA TRIGGER {name}"),
                        );
                    }
                }
            }
        }
        installed += i64::from(any);
    }
    installed
}

/// Drop this extension's triggers from the source and every member of its partition tree.
fn drop_triggers(client: &mut SpiClient, root: pg_sys::Oid) {
    let triggers: Vec<(String, String)> = client
        .select(
            "SELECT g.tgname::text, g.tgrelid::pg_catalog.regclass::text
               FROM pg_catalog.pg_trigger g
              WHERE g.tgrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree($1) UNION SELECT $1::pg_catalog.oid)
                AND g.tgname::text LIKE 'nps\\_live\\_%' AND NOT g.tgisinternal AND g.tgparentid = 0",
            None,
            &[unsafe { DatumWithOid::new(root, pg_sys::REGCLASSOID) }],
        )
        .unwrap_or_else(|e| error!("{e}"))
        .map(|r| (r.get::<String>(1).ok().flatten().unwrap_or_default(), r.get::<String>(2).ok().flatten().unwrap_or_default()))
        .collect();
    for (name, relation) in triggers {
        run(
            client,
            &format!("DROP TRIGGER IF EXISTS {} ON {relation}", quote(&name)),
        );
    }
}

/// The configuration tables a source's triggers name, one per live summary of this design, found
/// even when their schema was renamed since the triggers were made.
fn configs_of_source(root: pg_sys::Oid) -> Vec<pg_sys::Oid> {
    Spi::get_one_with_args::<Vec<u8>>(
        "SELECT g.tgargs
           FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
           JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps_ext'
          WHERE g.tgrelid = $1 AND g.tgname = 'nps_live_insert' AND p.proname = 'nps_live_maintain'",
        &[oid_arg(root)],
    )
    .ok()
    .flatten()
    .map(|args| {
        trigger_args(&args)
            .iter()
            .filter_map(|a| live_config::config_named(a, root))
            .collect()
    })
    .unwrap_or_default()
}

/// A trigger's arguments from `pg_trigger.tgargs`: each followed by a zero byte.
fn trigger_args(tgargs: &[u8]) -> Vec<String> {
    tgargs
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// The live summaries a source's triggers are to keep: those they keep that still exist, and
/// `add` (unless they keep it) or without `remove`.
fn configs_kept(
    root: pg_sys::Oid,
    add: Option<pg_sys::Oid>,
    remove: Option<pg_sys::Oid>,
) -> Vec<pg_sys::Oid> {
    let mut configs = configs_of_source(root);
    configs.retain(|&c| Some(c) != remove);
    if let Some(add) = add.filter(|a| !configs.contains(a)) {
        configs.push(add);
    }
    configs
}

/// A 0.2.0 live summary of this source: its trigger function (plpgsql, named after its table).
fn old_trigger_function(root: pg_sys::Oid) -> Option<String> {
    Spi::get_one_with_args::<String>(
        "SELECT g.tgfoid::pg_catalog.regprocedure::text
           FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
           JOIN pg_catalog.pg_language l ON l.oid = p.prolang
          WHERE g.tgrelid = $1 AND g.tgname = 'nps_live_insert' AND l.lanname = 'plpgsql'",
        &[oid_arg(root)],
    )
    .ok()
    .flatten()
}

fn config_oid(name: &str) -> Option<pg_sys::Oid> {
    Spi::get_one_with_args::<pg_sys::Oid>(
        "SELECT pg_catalog.to_regclass($1)::pg_catalog.oid",
        &[name.into()],
    )
    .ok()
    .flatten()
}

/// Whether the relation still carries the triggers of the live summary configured by `config`.
fn has_live_triggers(relation: pg_sys::Oid, config: pg_sys::Oid) -> bool {
    configs_of_source(relation).contains(&config)
}

fn create(
    source: pg_sys::Oid,
    score: &str,
    time: &str,
    bucket: pg_sys::Datum,
    segments: &[String],
    weight: Option<&str>,
    target: Option<&str>,
) -> pg_sys::Oid {
    // The fill must see every answer committed before the triggers lock the source; a
    // transaction snapshot taken earlier would miss those committed in between.
    if unsafe { pg_sys::XactIsoLevel } != pg_sys::XACT_READ_COMMITTED as i32 {
        fail_hint(
            PgSqlErrorCode::ERRCODE_ACTIVE_SQL_TRANSACTION,
            "nps_live_summary must run in a READ COMMITTED transaction".into(),
            "Its own snapshot would miss answers committed while it waits for the table.",
        );
    }
    let table = source_table(source);
    must_own(&table, "create");
    let live_name = target
        .map(String::from)
        .unwrap_or_else(|| format!("{}_nps_live", table.relname));
    let names = Names::of(&live_name);
    let live_qualified = format!("{}.{}", quote(&table.schema), quote(&names.live));
    // several live summaries of one table (days and months, say) each have their own name
    let config_name = format!("{}.{}", quote(&table.schema), quote(&names.config));
    if config_oid(&config_name).is_some_and(|c| has_live_triggers(source, c)) {
        fail_hint(
            PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
            format!("{} already has the live summary {live_qualified}", table.name),
            "Remove it first with nps_live_summary_drop(), or name another one with target => a name.",
        );
    }
    // a 0.2.0 live summary moves into this design only under its own name
    if let Some(function) = old_trigger_function(source) {
        let old_name = function
            .trim_end_matches("()")
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .trim_matches('"')
            .to_string();
        if old_name != live_name {
            fail_hint(
                PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
                format!("{} already has a live summary of release 0.2.0, {}", table.name, old_name),
                "Call nps_live_summary with the arguments it was made with (its table's comment lists them) to move it to this release, or drop it first.",
            );
        }
    }
    // A 0.2.0 live table owned by someone else is handed to the source's owner first, by the
    // caller (who may be a superuser): everything a live summary has belongs to that owner.
    if let Some((_, kind, owner, comment)) = existing(&table.schema, &names.live) {
        if kind == "r"
            && comment
                .as_deref()
                .is_some_and(|c| c.starts_with("NPS summaries of "))
            && owner != table.owner
        {
            let role = Spi::get_one_with_args::<String>(
                "SELECT pg_catalog.quote_ident(rolname) FROM pg_catalog.pg_roles WHERE oid = $1",
                &[oid_arg(table.owner)],
            )
            .ok()
            .flatten()
            .unwrap_or_default();
            Spi::run(&format!("ALTER TABLE {} OWNER TO {role}", live_qualified))
                .unwrap_or_else(|e| error!("{e}"));
        }
    }

    // From here on as the source's owner, with the pinned search_path, which also makes the
    // storage's column types come out schema-qualified.
    let _owner = AsOwner::new(table.owner);
    let def = definition(&table, score, time, bucket, weight, segments);
    let ext =
        live_config::extension_schema().unwrap_or_else(|| error!("extension nps_ext not found"));
    let q = |n: &str| format!("{}.{}", quote(&table.schema), quote(n));
    let storage = Storage {
        ext: ext.clone(),
        live: q(&names.live),
        data: q(&names.data),
        delta: q(&names.delta),
        segments: def.segments.iter().map(|s| quote(s)).collect(),
        segment_literals: def.segments.iter().map(|s| literal(s)).collect(),
    };
    let plan = Plan {
        table: &table,
        def: &def,
        names,
        ext,
        storage,
    };

    let live_oid = Spi::connect_mut(|client| {
        let kept = prepare_storage(client, &plan);
        let configs = configs_kept(source, config_oid(&plan.config_name()), None);
        install_triggers(client, source, &plan.ext, &configs);
        if !kept {
            plan.fill(client);
        }
        client
            .select(
                "SELECT $1::pg_catalog.regclass::pg_catalog.oid",
                None,
                &[plan.storage.live.as_str().into()],
            )
            .and_then(|r| r.first().get_one::<pg_sys::Oid>())
            .ok()
            .flatten()
            .unwrap_or_else(|| error!("the live view {} was not created", plan.storage.live))
    });
    live_config::forget_all();
    live_oid
}

/// Whole rows as the table's replica identity, before any update or delete of it: under
/// a publication of every table (FOR ALL TABLES, or of the schema: what change-data-capture
/// tools make by default) a table without one refuses UPDATE and DELETE, and folds do both.
/// Its cost, the old row written to the WAL, is paid only with wal_level = logical.
fn whole_rows_in_replication(client: &mut SpiClient, table: &str) {
    run(
        client,
        &format!("ALTER TABLE {table} REPLICA IDENTITY FULL"),
    );
}

/// Make the live view, data, delta and configuration exist: reuse what a dropped source of
/// this name left when it has this shape (keeping the view's grants and the views on it), move
/// a 0.2.0 live table into the new design, and refuse any other relation in the way. Returns
/// whether the data is kept as it is (a 0.2.0 live summary, exact until now); otherwise it is
/// empty, to be filled.
fn prepare_storage(client: &mut SpiClient, plan: &Plan) -> bool {
    let schema = &plan.table.schema;
    let names = &plan.names;
    let found: Vec<Option<(pg_sys::Oid, String, pg_sys::Oid, Option<String>)>> =
        [&names.live, &names.data, &names.delta, &names.config]
            .iter()
            .map(|n| existing(schema, n))
            .collect();
    let old_table = found[0].as_ref().is_some_and(|(_, kind, _, comment)| {
        kind == "r"
            && comment
                .as_deref()
                .is_some_and(|c| c.starts_with("NPS summaries of "))
    });
    if old_table {
        return migrate_old_table(client, plan, &found);
    }
    for (name, relation) in [&names.live, &names.data, &names.delta, &names.config]
        .iter()
        .zip(&found)
    {
        if let Some((_, _, owner, comment)) = relation {
            if !ours(comment) || *owner != plan.table.owner {
                fail_hint(
                    PgSqlErrorCode::ERRCODE_DUPLICATE_TABLE,
                    format!("relation {} already exists", plan.qualified(name)),
                    "Name the live summary with target => another name.",
                );
            }
        }
    }
    // whose is it: another live table's still-working configuration is not to be taken. That
    // table is named as it is now: a job that swaps a new table in by renames (dbt's table
    // models) calls here while the old one, renamed, still has the live summary.
    if let Some((config_oid, ..)) = &found[3] {
        if let Ok(config) = live_config::read_config(*config_oid) {
            if config.source != plan.table.oid && has_live_triggers(config.source, *config_oid) {
                let holder = live_config::relation_text(config.source);
                fail_hint(
                    PgSqlErrorCode::ERRCODE_DUPLICATE_OBJECT,
                    format!("{} is the live summary of {holder}", plan.storage.live),
                    &format!(
                        "Call this again once {holder} is dropped (in dbt, a post-hook after_commit), drop its live summary with nps_live_summary_drop({}), or name this one with target => another name.",
                        literal(&holder)
                    ),
                );
            }
        }
    }
    let same_shape = found.iter().all(Option::is_some) && shape_matches(plan);
    if same_shape {
        run(client, &format!("DELETE FROM {}", plan.storage.delta));
        run(client, &format!("DELETE FROM {}", plan.storage.data));
        // the new source may be logged where the old one was not, or the reverse: altered once
        // emptied, so that the rewrite copies none of the old rows
        let oid = |i: usize| found[i].as_ref().map_or(pg_sys::InvalidOid, |f| f.0);
        match_persistence(plan.table.oid, [oid(1), oid(2)]);
        plan.write_config(client);
        plan.create_view(client);
        return false;
    }
    // another shape, or parts missing: made anew (a view others depend on stops it here)
    if found[0].is_some() {
        run(client, &format!("DROP VIEW {}", plan.storage.live));
    }
    for (relation, sql) in [
        (&found[2], &plan.storage.delta),
        (&found[1], &plan.storage.data),
    ] {
        if relation.is_some() {
            run(client, &format!("DROP TABLE {sql}"));
        }
    }
    if found[3].is_some() {
        run(client, &format!("DROP TABLE {}", plan.config_name()));
    }
    plan.create_data(client);
    plan.create_delta(client);
    plan.create_view(client);
    plan.create_config(client);
    false
}

/// Whether the existing view and data have the columns this definition makes.
fn shape_matches(plan: &Plan) -> bool {
    let columns = |relation: &str| {
        Spi::get_one_with_args::<Vec<String>>(
            "SELECT pg_catalog.array_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped",
            &[relation.into()],
        )
        .ok()
        .flatten()
        .unwrap_or_default()
    };
    let mut expected = vec![format!("bucket {}", plan.time_type())];
    expected.extend(
        plan.def
            .segments
            .iter()
            .zip(&plan.def.segment_types)
            .map(|(s, t)| format!("{} {}", quote(s), t.split(" COLLATE ").next().unwrap_or(t))),
    );
    let matches = |got: Vec<String>| {
        got.len() == expected.len() + 1
            && got[..expected.len()] == expected[..]
            && got.last().is_some_and(|s| s.ends_with("nps_summary"))
    };
    matches(columns(&plan.storage.live)) && matches(columns(&plan.storage.data))
}

/// Move a 0.2.0 live table into this design: it keeps its OID, rows and grants and becomes
/// the live data (`<live>_data`, so views and grants on it stay valid and read the folded
/// summaries), and the exact view takes its name, with the same SELECT grants. Its rows are
/// kept when its 0.2.0 triggers kept them exact until now; a table its source's DROP left
/// behind is emptied, to be filled from the new source.
fn migrate_old_table(
    client: &mut SpiClient,
    plan: &Plan,
    found: &[Option<(pg_sys::Oid, String, pg_sys::Oid, Option<String>)>],
) -> bool {
    let (old_oid, ..) = found[0].clone().expect("the 0.2.0 table");
    for (i, what) in [
        (1, &plan.names.data),
        (2, &plan.names.delta),
        (3, &plan.names.config),
    ] {
        if found[i].is_some() {
            fail_hint(
                PgSqlErrorCode::ERRCODE_DUPLICATE_TABLE,
                format!("relation {} already exists", plan.qualified(what)),
                "Drop it, or name the live summary with target => another name.",
            );
        }
    }
    // the 0.2.0 triggers and the function they call (named after the table)
    let live_before = old_trigger_function(plan.table.oid);
    if let Some(function) = &live_before {
        drop_triggers(client, plan.table.oid);
        run(client, &format!("DROP FUNCTION IF EXISTS {function}"));
    }
    run(
        client,
        &format!("DROP FUNCTION IF EXISTS {}()", plan.storage.live),
    );
    // the old table must have this definition's columns, NOT NULL keys and a primary key
    let expected_types: Vec<String> = std::iter::once(plan.time_type().to_string())
        .chain(
            plan.def
                .segment_types
                .iter()
                .map(|t| t.split(" COLLATE ").next().unwrap_or(t).to_string()),
        )
        .collect();
    let got: Vec<String> = Spi::get_one_with_args::<Vec<String>>(
        "SELECT pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'summary'",
        &[oid_arg(old_oid)],
    )
    .ok()
    .flatten()
    .unwrap_or_default();
    if got != expected_types {
        fail_hint(
            PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
            format!("the 0.2.0 live table {} has other columns than this live summary would", plan.storage.live),
            "Call nps_live_summary with the arguments it was created with (its comment lists them), or drop it first.",
        );
    }
    let primary = Spi::get_one_with_args::<String>(
        "SELECT pg_catalog.quote_ident(conname) FROM pg_catalog.pg_constraint WHERE conrelid = $1 AND contype = 'p'",
        &[oid_arg(old_oid)],
    )
    .ok()
    .flatten();
    let old = plan.storage.live.clone();
    run(
        client,
        &format!("ALTER TABLE {old} RENAME TO {}", quote(&plan.names.data)),
    );
    if let Some(primary) = primary {
        run(
            client,
            &format!(
                "ALTER TABLE {} DROP CONSTRAINT {primary}",
                plan.storage.data
            ),
        );
    }
    for column in std::iter::once("bucket".to_string()).chain(plan.storage.segments.iter().cloned())
    {
        run(
            client,
            &format!(
                "ALTER TABLE {} ALTER COLUMN {column} DROP NOT NULL",
                plan.storage.data
            ),
        );
    }
    plan.set_up_data(client);
    plan.comment(
        client,
        "TABLE",
        &plan.storage.data,
        "its folded summaries, one row per bucket and segments (the 0.2.0 live table)",
    );
    plan.create_delta(client);
    plan.create_view(client);
    plan.create_config(client);
    // readers of the old table read the view under its name
    let grants: Vec<(String, bool)> = client
        .select(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END, a.is_grantable
               FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
               LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
              WHERE c.oid = $1 AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner",
            None,
            &[oid_arg(old_oid)],
        )
        .unwrap_or_else(|e| error!("{e}"))
        .map(|r| (r.get::<String>(1).ok().flatten().unwrap_or_default(), r.get::<bool>(2).ok().flatten().unwrap_or(false)))
        .collect();
    for (grantee, grantable) in grants {
        run(
            client,
            &format!(
                "GRANT SELECT ON {} TO {grantee}{}",
                plan.storage.live,
                if grantable { " WITH GRANT OPTION" } else { "" }
            ),
        );
    }
    if live_before.is_none() {
        run(client, &format!("DELETE FROM {}", plan.storage.data));
    }
    live_before.is_some()
}

// ---- the SQL functions ----

unsafe fn nps_live_summary_call(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let (Some(source), Some(score), Some(time), Some(bucket), Some(segments)) = (
            arg(fcinfo, 0),
            arg(fcinfo, 1),
            arg(fcinfo, 2),
            arg(fcinfo, 3),
            arg(fcinfo, 4),
        ) else {
            fail(
                PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
                "nps_live_summary needs a source, score_column, time_column, bucket and segments without NULLs".into(),
            );
        };
        let segments = names_of(segments);
        if segments.iter().any(Option::is_none) {
            fail(
                PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
                "nps_live_summary needs a source, score_column, time_column, bucket and segments without NULLs".into(),
            );
        }
        let segments: Vec<String> = segments.into_iter().flatten().collect();
        let weight = arg(fcinfo, 5).map(|d| name_of(d));
        let target = arg(fcinfo, 6).map(|d| name_of(d));
        let live = create(
            pg_sys::Oid::from_datum(source, false).expect("not NULL"),
            &name_of(score),
            &name_of(time),
            bucket,
            &segments,
            weight.as_deref(),
            target.as_deref(),
        );
        live.into_datum().expect("an OID")
    }
}

/// The live summary a call names: a source with one, or a live view (also of a source dropped
/// since), with its configuration table's name and OID.
fn named(relation: pg_sys::Oid) -> Option<(pg_sys::Oid, String)> {
    let kind = unsafe { pg_sys::get_rel_relkind(relation) } as u8;
    let name = if kind == b'v' {
        let config = Spi::get_one_with_args::<String>(
            "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname || '_config') FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1",
            &[oid_arg(relation)],
        )
        .ok()
        .flatten()?;
        let oid = config_oid(&config)?;
        let c = live_config::read_config(oid).ok()?;
        (c.live == relation).then_some(config)?
    } else {
        let configs = configs_of_source(relation);
        if configs.len() > 1 {
            let views: Vec<String> = configs
                .iter()
                .filter_map(|&c| live_config::read_config(c).ok())
                .map(|c| live_config::relation_text(c.live))
                .collect();
            fail_hint(
                PgSqlErrorCode::ERRCODE_AMBIGUOUS_PARAMETER,
                format!(
                    "{} has {} live summaries: {}",
                    live_config::relation_text(relation),
                    configs.len(),
                    views.join(", ")
                ),
                "Name one by its view.",
            );
        }
        live_config::relation_text(*configs.first()?)
    };
    Some((config_oid(&name)?, name))
}

unsafe fn nps_live_summary_drop_call(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let (Some(source), Some(drop_table)) = (arg(fcinfo, 0), arg(fcinfo, 1)) else {
            fail(
                PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
                "nps_live_summary_drop needs a source and drop_table".into(),
            );
        };
        let relation = pg_sys::Oid::from_datum(source, false).expect("not NULL");
        let drop_table = bool::from_datum(drop_table, false).expect("not NULL");
        let shown = live_config::relation_text(relation);
        let owner = relation_owner(relation, &shown);
        if !may_act_as(owner) {
            fail(
                PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                format!("must be owner of {shown} to drop its live summary"),
            );
        }
        // a 0.2.0 live summary not moved yet: its triggers, function and table
        if let Some(function) = old_trigger_function(relation) {
            let table = Spi::get_one_with_args::<String>(
                "SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', n.nspname, p.proname))::text
                   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                  WHERE p.oid = $1::pg_catalog.regprocedure",
                &[function.as_str().into()],
            )
            .ok()
            .flatten();
            let _owner = AsOwner::new(owner);
            Spi::connect_mut(|client| {
                drop_triggers(client, relation);
                run(client, &format!("DROP FUNCTION {function}"));
                match (&table, drop_table) {
                    (Some(t), true) => run(client, &format!("DROP TABLE {t}")),
                    (None, true) => notice!(
                        "the live table of {shown}, named like {function}, no longer exists"
                    ),
                    _ => {}
                }
            });
            return pg_sys::Datum::from(0);
        }
        let Some((config, config_name)) = named(relation) else {
            fail(
                PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
                format!("{shown} has no live summary"),
            );
        };
        let _owner = AsOwner::new(owner);
        let found = live_config::read_config(config).ok();
        Spi::connect_mut(|client| {
            let mut sources = Vec::new();
            if let Some(c) = found
                .as_ref()
                .filter(|c| has_live_triggers(c.source, config))
            {
                sources.push(c.source);
            }
            if pg_sys::get_rel_relkind(relation) as u8 != b'v' && !sources.contains(&relation) {
                sources.push(relation);
            }
            for source in sources {
                // the triggers go on keeping the source's other live summaries, if any
                let others = configs_kept(source, None, Some(config));
                if others.is_empty() {
                    drop_triggers(client, source);
                } else {
                    let ext = live_config::extension_schema()
                        .unwrap_or_else(|| error!("extension nps_ext not found"));
                    install_triggers(client, source, &ext, &others);
                }
            }
            if drop_table {
                if let Some(c) = &found {
                    // delta holds rows of data's type: it goes first
                    for (kind, oid) in [("VIEW", c.live), ("TABLE", c.delta), ("TABLE", c.data)] {
                        if pg_sys::get_rel_relkind(oid) != 0 {
                            run(
                                client,
                                &format!("DROP {kind} {}", live_config::relation_text(oid)),
                            );
                        }
                    }
                }
                run(client, &format!("DROP TABLE {config_name}"));
            }
        });
        live_config::forget_all();
        pg_sys::Datum::from(0)
    }
}

/// Write a configuration's names as they are now (the source or columns renamed since).
pub fn write_names(client: &mut SpiClient, live: &Live) -> Result<(), pgrx::spi::Error> {
    let config =
        live_config::read_config(live.config).map_err(|_| pgrx::spi::Error::NoTupleTable)?;
    let current: Vec<String> = config
        .names
        .iter()
        .zip(&config.attnums)
        .map(|(n, &a)| {
            n.as_ref()
                .and_then(|n| live_config::root_column(live.root, n, a))
                .map_or("NULL".to_string(), |(name, _)| literal(&name))
        })
        .collect();
    let [score, time, weight, segments @ ..] = current.as_slice() else {
        return Ok(());
    };
    client.update(
        &format!(
            "UPDATE {} SET source_name = {}, score_column = {score}, time_column = {time}, weight_column = {weight},
                    segments = ARRAY[{}]::pg_catalog.name[]",
            live_config::relation_text(live.config),
            literal(&live_config::relation_text(live.root)),
            segments.join(", ")
        ),
        None,
        &[],
    )?;
    Ok(())
}

/// The owner of a relation named by OID (shown: its name for the error).
fn relation_owner(relation: pg_sys::Oid, shown: &str) -> pg_sys::Oid {
    live_config::relation_owner(relation)
        .unwrap_or_else(|| error!("relation {shown} does not exist"))
}

/// The live summary of a source (or live view) for check and refresh, resolved on its root
/// as its owner. Refresh is the owner's; check also any role that may read both the source and
/// the live view (the recomputation and the comparison then run with that role's privileges).
fn resolved(relation: pg_sys::Oid, refresh: bool) -> (Config, Live) {
    let shown = live_config::relation_text(relation);
    let owner = relation_owner(relation, &shown);
    let (config, live) = {
        let _owner = AsOwner::new(owner);
        let Some((config_oid, _)) = named(relation) else {
            fail(
                PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
                format!("{shown} has no live summary"),
            );
        };
        let config = live_config::read_config(config_oid).unwrap_or_else(|e| error!("{e}"));
        let (root, owner) = live_config::root_and_owner(config.source);
        let live = live_config::resolve(&config, root, root, owner)
            .unwrap_or_else(|e| error!("the live summary of {shown} does not work: {e}"));
        (config, live)
    };
    if !may_act_as(live.owner) {
        let readable = !refresh
            && Spi::get_one_with_args::<bool>(
                "SELECT pg_catalog.has_table_privilege($1, 'SELECT') AND pg_catalog.has_table_privilege($2, 'SELECT')",
                &[oid_arg(live.root), oid_arg(config.live)],
            )
            .ok()
            .flatten()
            .unwrap_or(false);
        if !readable {
            fail_hint(
                PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
                format!(
                    "must be owner of table {} to {} its live summary",
                    live_config::relation_text(live.root),
                    if refresh { "refresh or fold" } else { "check" }
                ),
                if refresh {
                    "Only the table's owner (or a member of the owning role) refreshes and folds a live summary."
                } else {
                    "The owner checks a live summary, and so does a role that may read both the table and the live view."
                },
            );
        }
    }
    (config, live)
}

/// The row and key filters of a bucket range: `$1 <= bucket < $2`, each bound optional. The
/// source's rows are also narrowed by time, with a margin of a bucket and a day, so that an
/// index on the time column serves.
fn range_filters(live: &Live, config: &Config, from: bool, to: bool) -> (String, String) {
    let (mut rows, mut keys) = (String::new(), String::new());
    let bucket = format!(
        "{}.nps_live_bucket(t.{}, {})",
        live.storage.ext, live.source.time, live.source.bucket_args
    );
    let margin = format!(
        "({}::pg_catalog.interval + '1 day'::pg_catalog.interval)",
        literal(&config.bucket_text)
    );
    if from {
        rows.push_str(&format!(
            " AND t.{} >= $1 OPERATOR(pg_catalog.-) {margin} AND {bucket} >= $1",
            live.source.time
        ));
        keys.push_str(" AND l.bucket >= $1");
    }
    if to {
        rows.push_str(&format!(
            " AND t.{} < $2 OPERATOR(pg_catalog.+) {margin} AND {bucket} < $2",
            live.source.time
        ));
        keys.push_str(" AND l.bucket < $2");
    }
    (rows, keys)
}

/// What keeps a live summary from staying exact, one problem per row: relations of the
/// partition tree without their triggers, triggers disabled or enabled for the wrong sessions.
fn coverage_problems(root: pg_sys::Oid) -> Vec<(String, String)> {
    Spi::connect(|client| {
        let rows = client.select(
            "WITH members AS (
                 SELECT t.relid, t.relid = $1 AS is_root, t.isleaf, c.relkind
                   FROM pg_catalog.pg_partition_tree($1) t JOIN pg_catalog.pg_class c ON c.oid = t.relid
                 UNION ALL SELECT $1, true, true, c.relkind FROM pg_catalog.pg_class c
                  WHERE c.oid = $1 AND c.relkind <> 'p' AND NOT c.relispartition),
             wanted AS (
                 SELECT m.relid, w.name, w.enabled FROM members m
                  CROSS JOIN LATERAL (VALUES ('nps_live_insert', 'O'), ('nps_live_update', 'O'), ('nps_live_delete', 'O')) w(name, enabled)
                  WHERE m.relkind <> 'f'
                 UNION ALL SELECT m.relid, 'nps_live_truncate', 'A' FROM members m WHERE m.relkind <> 'f' AND (m.is_root OR m.isleaf)
                 UNION ALL SELECT m.relid, w.name, 'R' FROM members m
                  CROSS JOIN (VALUES ('nps_live_replica_insert'), ('nps_live_replica_update'), ('nps_live_replica_delete')) w(name)
                  WHERE m.relkind <> 'f')
             SELECT w.relid::pg_catalog.regclass::text,
                    CASE WHEN g.oid IS NULL THEN 'has no trigger ' || w.name
                         ELSE 'has its trigger ' || w.name || ' ' ||
                              CASE g.tgenabled WHEN 'D' THEN 'disabled' WHEN 'O' THEN 'enabled for ordinary sessions only'
                                               WHEN 'R' THEN 'enabled for replication only' ELSE 'always enabled' END END
               FROM wanted w LEFT JOIN pg_catalog.pg_trigger g ON g.tgrelid = w.relid AND g.tgname = w.name
              WHERE g.oid IS NULL OR g.tgenabled::text <> w.enabled
              ORDER BY 1, 2",
            None,
            &[unsafe { DatumWithOid::new(root, pg_sys::REGCLASSOID) }],
        )?;
        Ok::<_, pgrx::spi::Error>(
            rows.map(|r| (r.get::<String>(1).ok().flatten().unwrap_or_default(), r.get::<String>(2).ok().flatten().unwrap_or_default()))
                .collect(),
        )
    })
    .unwrap_or_else(|e| error!("{e}"))
}

/// Triggers of the partition tree that keep other live summaries of the source but not this
/// one (its configuration `config`).
fn unkept_problems(root: pg_sys::Oid, config: pg_sys::Oid) -> Vec<(String, String)> {
    let triggers = Spi::connect(|client| {
        client
            .select(
                "SELECT g.tgrelid::pg_catalog.regclass::text, g.tgname::text, g.tgargs FROM pg_catalog.pg_trigger g
                  WHERE g.tgrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree($1) UNION SELECT $1::pg_catalog.oid)
                    AND g.tgname::text LIKE 'nps\\_live\\_%' AND NOT g.tgisinternal
                  ORDER BY 1, 2",
                None,
                &[unsafe { DatumWithOid::new(root, pg_sys::REGCLASSOID) }],
            )?
            .map(|r| {
                Ok((
                    r.get::<String>(1)?.unwrap_or_default(),
                    r.get::<String>(2)?.unwrap_or_default(),
                    r.get::<Vec<u8>>(3)?.unwrap_or_default(),
                ))
            })
            .collect::<Result<Vec<_>, pgrx::spi::Error>>()
    })
    .unwrap_or_else(|e| error!("{e}"));
    triggers
        .into_iter()
        .filter(|(_, _, args)| {
            !trigger_args(args)
                .iter()
                .any(|a| live_config::config_named(a, root) == Some(config))
        })
        .map(|(relation, name, _)| {
            (
                relation,
                format!("has its trigger {name} without this live summary"),
            )
        })
        .collect()
}

/// The summary's tables (`tables`: data and delta) that are not as logged as their source, each
/// as shown to the caller, qualified for SQL, and whether the source is logged. A crash empties
/// unlogged tables: a summary must lose what its answers lose, no more and no less, so an
/// `ALTER TABLE ... SET LOGGED` (or `UNLOGGED`) of the source is one for its summary too.
fn unmatched_persistence(
    source: pg_sys::Oid,
    tables: [pg_sys::Oid; 2],
) -> Vec<(String, String, bool)> {
    Spi::connect(|client| {
        client
            .select(
                "SELECT c.oid::pg_catalog.regclass::text, pg_catalog.format('%I.%I', n.nspname, c.relname),
                        s.relpersistence OPERATOR(pg_catalog.=) 'p'
                   FROM pg_catalog.pg_class s, pg_catalog.pg_class c
                   JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                  WHERE s.oid OPERATOR(pg_catalog.=) $1 AND c.oid OPERATOR(pg_catalog.=) ANY (ARRAY[$2, $3])
                    AND c.relpersistence OPERATOR(pg_catalog.<>) s.relpersistence
                  ORDER BY 1",
                None,
                &[oid_arg(source), oid_arg(tables[0]), oid_arg(tables[1])],
            )?
            .map(|r| {
                Ok((
                    r.get::<String>(1)?.unwrap_or_default(),
                    r.get::<String>(2)?.unwrap_or_default(),
                    r.get::<bool>(3)?.unwrap_or_default(),
                ))
            })
            .collect::<Result<Vec<_>, pgrx::spi::Error>>()
    })
    .unwrap_or_else(|e| error!("{e}"))
}

/// `ALTER TABLE` the summary's tables that are not as logged as their source, all or none. Some
/// servers refuse it for data (14.23, 16.15, 17.11 and 18.6 here, not Debian's 15.20: "cannot
/// alter table ... because column ..._delta.nps_live_plus uses its row type"); then a warning
/// says what to do instead, and the rest goes on.
fn match_persistence(source: pg_sys::Oid, tables: [pg_sys::Oid; 2]) {
    let unmatched = unmatched_persistence(source, tables);
    let Some((_, _, logged)) = unmatched.first() else {
        return;
    };
    let persistence = if *logged { "LOGGED" } else { "UNLOGGED" };
    let sql: Vec<String> = unmatched
        .iter()
        .map(|(_, table, _)| format!("ALTER TABLE {table} SET {persistence}"))
        .collect();
    let error = match crate::live_trigger::in_subtransaction(|| Spi::run(&sql.join("; "))) {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e.to_string(),
        Err((_, e)) => e,
    };
    let shown: Vec<&str> = unmatched.iter().map(|(shown, ..)| shown.as_str()).collect();
    warning!(
        "{} stay as they are, not {persistence} as their source: {error}; {REMAKE}",
        shown.join(" and ")
    );
}

const REMAKE: &str =
    "where the server refuses it, drop the live summary with its tables and make it again";

fn persistence_problems(live: &Live) -> Vec<(String, String)> {
    unmatched_persistence(live.root, [live.data, live.delta])
        .into_iter()
        .map(|(relation, _, logged)| {
            let problem = if logged {
                "is unlogged while its source is logged: a crash would empty it and keep the answers"
            } else {
                "is logged while its source is unlogged: a crash would empty the answers and keep it"
            };
            (
                relation,
                format!("{problem}; nps_live_summary_refresh makes it as logged as its source, {REMAKE}"),
            )
        })
        .collect()
}

/// A live summary whose data comes from a subscription (a publication of every table brings
/// the publisher's live summary with the answers) while its triggers summarize the answers the
/// subscription applies: each answer counts twice.
fn subscribed_problem(live: &Live) -> Option<(String, String)> {
    let subscribed = Spi::get_one_with_args::<bool>(
        "SELECT EXISTS (SELECT FROM pg_catalog.pg_subscription_rel WHERE srrelid OPERATOR(pg_catalog.=) $1)",
        &[oid_arg(live.data)],
    )
    .ok()
    .flatten()
    .unwrap_or(false);
    subscribed.then(|| {
        (
            live.storage.data.clone(),
            "comes from a subscription with the publisher's live summary, while the triggers \
             here summarize the answers a second time: drop them with nps_live_summary_drop"
                .to_string(),
        )
    })
}

#[allow(clippy::type_complexity)]
#[pg_extern(sql = false)]
fn nps_live_summary_check(
    source: Option<pg_sys::Oid>,
    from_bucket: default!(Option<pgrx::datum::TimestampWithTimeZone>, "NULL"),
    to_bucket: default!(Option<pgrx::datum::TimestampWithTimeZone>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(key, pgrx::JsonB),
        name!(live, Option<crate::summary::NpsSummary>),
        name!(expected, Option<crate::summary::NpsSummary>),
    ),
> {
    let source = source.unwrap_or_else(|| {
        fail(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "nps_live_summary_check needs a source".into(),
        )
    });
    let (config, live) = resolved(source, false);
    let mut rows = Vec::new();
    let problems = coverage_problems(live.root)
        .into_iter()
        .chain(unkept_problems(live.root, live.config))
        .chain(persistence_problems(&live))
        .chain(subscribed_problem(&live));
    for (relation, problem) in problems {
        rows.push((
            pgrx::JsonB(serde_json::json!({"relation": relation, "problem": problem})),
            None,
            None,
        ));
    }
    let (filter, live_filter) =
        range_filters(&live, &config, from_bucket.is_some(), to_bucket.is_some());
    let sql = format!(
        "SELECT d.key, d.live, d.expected FROM ({}) d ORDER BY d.key::text",
        live.storage
            .differences(&root_source(&live), &filter, &live_filter)
    );
    let args = [timestamptz_arg(from_bucket), timestamptz_arg(to_bucket)];
    let used = usize::from(from_bucket.is_some() || to_bucket.is_some()) * 2;
    Spi::connect(|client| {
        for r in client.select(&sql, None, &args[..used])? {
            rows.push((
                r.get::<pgrx::JsonB>(1)?
                    .unwrap_or(pgrx::JsonB(serde_json::Value::Null)),
                r.get::<crate::summary::NpsSummary>(2)?,
                r.get::<crate::summary::NpsSummary>(3)?,
            ));
        }
        Ok::<_, pgrx::spi::Error>(())
    })
    .unwrap_or_else(|e| error!("{e}"));
    TableIterator::new(rows)
}

fn timestamptz_arg(t: Option<pgrx::datum::TimestampWithTimeZone>) -> DatumWithOid<'static> {
    match t.and_then(|t| t.into_datum()) {
        Some(d) => unsafe { DatumWithOid::new(d, pg_sys::TIMESTAMPTZOID) },
        None => DatumWithOid::null_oid(pg_sys::TIMESTAMPTZOID),
    }
}

/// The whole source (its partitions included), read as a recomputation reads it.
fn root_source(live: &Live) -> Source {
    Source {
        relation: live_config::relation_text(live.root),
        ..live.source.clone()
    }
}

#[pg_extern(sql = false)]
fn nps_live_summary_refresh(
    source: Option<pg_sys::Oid>,
    from_bucket: default!(Option<pgrx::datum::TimestampWithTimeZone>, "NULL"),
    to_bucket: default!(Option<pgrx::datum::TimestampWithTimeZone>, "NULL"),
) -> i64 {
    let source = source.unwrap_or_else(|| {
        fail(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "nps_live_summary_refresh needs a source".into(),
        )
    });
    let (config, mut live) = resolved(source, true);
    let (filter, live_filter) =
        range_filters(&live, &config, from_bucket.is_some(), to_bucket.is_some());
    let args = [timestamptz_arg(from_bucket), timestamptz_arg(to_bucket)];
    let used = usize::from(from_bucket.is_some() || to_bucket.is_some()) * 2;
    let changed = {
        let _owner = AsOwner::new(live.owner);
        Spi::connect_mut(|client| {
            match_persistence(live.root, [live.data, live.delta]);
            let configs = configs_kept(live.root, Some(live.config), None);
            install_triggers(client, live.root, &live.storage.ext, &configs);
            if live.renamed {
                write_names(client, &live)?;
            }
            client
                .update(
                    &live
                        .storage
                        .correction(&root_source(&live), &filter, &live_filter),
                    None,
                    &args[..used],
                )?
                .first()
                .get_one::<i64>()
        })
        .unwrap_or_else(|e| error!("{e}"))
        .unwrap_or(0)
    };
    crate::live_fold::try_fold(&mut live, false);
    live_config::forget_all();
    changed
}

/// Fold the pending changes now (writers fold now and then by themselves, except in
/// SERIALIZABLE: a workload whose writers are all SERIALIZABLE calls this now and then).
#[pg_extern(sql = false)]
fn nps_live_summary_fold(source: Option<pg_sys::Oid>) -> bool {
    let source = source.unwrap_or_else(|| {
        fail(
            PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
            "nps_live_summary_fold needs a source".into(),
        )
    });
    let (_, mut live) = resolved(source, true);
    let folded = crate::live_fold::try_fold(&mut live, false);
    live_config::forget_all();
    folded
}

v1_function!(
    nps_live_summary_v3,
    pg_finfo_nps_live_summary_v3,
    nps_live_summary_call
);
v1_function!(
    nps_live_summary_drop_v3,
    pg_finfo_nps_live_summary_drop_v3,
    nps_live_summary_drop_call
);

extension_sql!(
    r#"
CREATE FUNCTION nps_live_summary(source regclass, score_column name, time_column name, bucket interval,
                                 segments name[] DEFAULT '{}', weight_column name DEFAULT NULL,
                                 target name DEFAULT NULL)
    RETURNS regclass VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_v3';
COMMENT ON FUNCTION nps_live_summary(regclass, name, name, interval, name[], name, name) IS
    'Keep a view of NPS summaries per time bucket and segment of a table of answers, exact at every moment';
CREATE FUNCTION nps_live_summary_drop(source regclass, drop_table boolean DEFAULT false)
    RETURNS void VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_drop_v3';
COMMENT ON FUNCTION nps_live_summary_drop(regclass, boolean) IS
    'Remove the live NPS summary of a table (or named by its view): its triggers, and with drop_table its view and tables';
CREATE FUNCTION nps_live_summary_check(source regclass, from_bucket timestamptz DEFAULT NULL, to_bucket timestamptz DEFAULT NULL)
    RETURNS TABLE (key jsonb, live nps_summary, expected nps_summary)
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_check_wrapper';
COMMENT ON FUNCTION nps_live_summary_check(regclass, timestamptz, timestamptz) IS
    'Where a live summary differs from a recomputation of its source in the same snapshot (one row per key; none when exact), and what keeps it from staying exact';
CREATE FUNCTION nps_live_summary_refresh(source regclass, from_bucket timestamptz DEFAULT NULL, to_bucket timestamptz DEFAULT NULL)
    RETURNS bigint VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_refresh_wrapper';
COMMENT ON FUNCTION nps_live_summary_refresh(regclass, timestamptz, timestamptz) IS
    'Make a live summary equal its source again, for all buckets or those from from_bucket to before to_bucket; returns how many keys changed';
CREATE FUNCTION nps_live_summary_fold(source regclass) RETURNS boolean
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_summary_fold_wrapper';
COMMENT ON FUNCTION nps_live_summary_fold(regclass) IS
    'Fold the changes of a live summary that wait to be folded (writers fold by themselves, except in SERIALIZABLE)';
"#,
    name = "nps_live_summary",
    requires = [
        "nps_aggregates",
        "nps_summary_operators",
        "nps_live_maintain",
        "nps_live_bucket",
        nps_live_apply,
        nps_live_same
    ]
);
