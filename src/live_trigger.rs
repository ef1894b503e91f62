//! The maintenance of live summaries: `nps_live_maintain()`, one C trigger function shared by
//! every live summary, as PostgreSQL's foreign-key triggers are. It finds its live summary from
//! the trigger (live_config.rs), works as the source's owner (acting.rs), and does exactly one
//! thing: add what a statement changed to that summary.
//!
//! Writers never wait for each other because of it: a statement's changes are grouped by
//! bucket and segments here, in memory, and appended as ONE row to the live summary's delta
//! table, straight into its heap. No row is ever updated by a writer, so no writer holds a lock
//! another needs, and no REPEATABLE READ or SERIALIZABLE writer meets a serialization failure
//! because of the summary. Every so often a READ COMMITTED writer that finds no fold running
//! folds the pending rows into the live data (in a subtransaction: a fold that fails leaves the
//! writer's statement alone, and only warns).
//!
//! Statement triggers (with transition tables) cover ordinary sessions; row triggers, enabled
//! REPLICA only, cover logical replication's apply workers, which fire no statement triggers.
//! TRUNCATE empties the summary when the whole source is truncated, and takes out a partition's
//! answers when a partition alone is.

use crate::acting::AsOwner;
use crate::live_config::{self, Column, Live};
use crate::score::{Answer, AnswerError};
use crate::weights::{check_weight, Summary};
use pgrx::prelude::*;
use pgrx::spi::Spi;
use std::collections::HashMap;
use std::ffi::CStr;

/// Folds are paced for the whole live summary, not per writer: one runs when the last one is
/// at least this old (its time is in the configuration table, whose row the fold locks, so
/// two never run at once and nobody waits for one). While anyone writes, the pending rows
/// stay below what about this long of writing appends; a fold then merges many statements'
/// changes of a key into one update of its row.
pub const FOLD_INTERVAL: &str = "1 second";
/// How often a writer looks whether a fold is due.
pub const FOLD_CHECK: std::time::Duration = std::time::Duration::from_millis(100);

/// Working as the source's owner inside a writer's statement, without JIT: compiling (tens of
/// milliseconds, and the fold's forced index scans look costly to the planner) would cost far
/// more than the small queries run here.
fn as_owner_in_statement(owner: pg_sys::Oid, settings: &[(&CStr, &CStr)]) -> AsOwner {
    let mut all = vec![(c"jit", c"off")];
    all.extend_from_slice(settings);
    AsOwner::with(owner, &all)
}

/// The changes of one key (bucket and segments) made by a statement.
struct Change {
    bucket: Option<pg_sys::Datum>,
    segments: Vec<Option<pg_sys::Datum>>,
    plus: Summary,
    minus: Summary,
}

/// A statement's changes, by key. Keys compare by the bytes of their values, so two values
/// PostgreSQL deems equal but spells differently (numeric 1.0 and 1.00) may stay two keys
/// here; the fold and the view group them as GROUP BY does.
#[derive(Default)]
struct Changes {
    index: HashMap<Vec<u8>, usize>,
    list: Vec<Change>,
}

/// A copy of a Datum that outlives the slot it came from, in the current memory context.
unsafe fn copied(value: pg_sys::Datum, col: &Column) -> pg_sys::Datum {
    unsafe {
        if col.typbyval {
            return value;
        }
        let (source, size) = match col.typlen {
            -1 => {
                let v = pg_sys::pg_detoast_datum_packed(value.cast_mut_ptr());
                (v as *const u8, pgrx::varsize_any(v))
            }
            -2 => {
                let p = value.cast_mut_ptr::<std::ffi::c_char>();
                (p as *const u8, CStr::from_ptr(p).to_bytes_with_nul().len())
            }
            n => (value.cast_mut_ptr::<u8>() as *const u8, n as usize),
        };
        let copy = pg_sys::palloc(size) as *mut u8;
        std::ptr::copy_nonoverlapping(source, copy, size);
        pg_sys::Datum::from(copy)
    }
}

/// The bytes a value is grouped by here.
unsafe fn key_bytes(key: &mut Vec<u8>, value: Option<pg_sys::Datum>, col: &Column) {
    let Some(value) = value else {
        key.push(0);
        return;
    };
    key.push(1);
    let bytes: &[u8] = unsafe {
        match (col.typbyval, col.typlen) {
            (true, _) => &value.value().to_ne_bytes()[..],
            (false, -1) => crate::varlena::bytes_of(value),
            (false, -2) => CStr::from_ptr(value.cast_mut_ptr()).to_bytes(),
            (false, n) => std::slice::from_raw_parts(value.cast_mut_ptr::<u8>(), n as usize),
        }
    };
    key.extend_from_slice(&(bytes.len() as u32).to_ne_bytes());
    key.extend_from_slice(bytes);
}

/// An answer read from a score column: checked, or why it is no answer.
unsafe fn answer(col: &Column, value: pg_sys::Datum) -> Result<Answer, AnswerError> {
    unsafe {
        match col.base {
            pg_sys::INT2OID => Answer::from_int(i64::from(value.value() as i16)),
            pg_sys::INT4OID => Answer::from_int(i64::from(value.value() as i32)),
            pg_sys::INT8OID => Answer::from_int(value.value() as i64),
            pg_sys::FLOAT4OID => Answer::from_float(
                f64::from(f32::from_bits(value.value() as u32)),
                crate::score::float4_text,
            ),
            pg_sys::FLOAT8OID => Answer::from_float(
                f64::from_bits(value.value() as u64),
                crate::score::float8_text,
            ),
            _ => match crate::numeric::whole_answer(crate::varlena::bytes_of(value)) {
                Some(a) => Ok(a),
                None => {
                    let n = pgrx::AnyNumeric::from_datum(value, false).expect("not NULL");
                    Answer::from_numeric(&n)
                }
            },
        }
    }
}

/// A weight read from a weight column, as double precision.
unsafe fn weight(col: &Column, value: pg_sys::Datum) -> f64 {
    unsafe {
        match col.base {
            pg_sys::INT2OID => f64::from(value.value() as i16),
            pg_sys::INT4OID => f64::from(value.value() as i32),
            pg_sys::INT8OID => value.value() as i64 as f64,
            pg_sys::FLOAT4OID => f64::from(f32::from_bits(value.value() as u32)),
            pg_sys::FLOAT8OID => f64::from_bits(value.value() as u64),
            _ => pgrx::direct_function_call::<f64>(
                pg_sys::numeric_float8_no_overflow,
                &[Some(value)],
            )
            .unwrap_or(f64::NAN),
        }
    }
}

impl Changes {
    /// Add the row in `slot` to the summary (`sign` 1, new rows) or take it out (-1, old rows).
    /// A new row's bad answer or weight is the error nps_agg gives; an old row's was never
    /// summarized (it could not have been) and is passed over.
    unsafe fn add_row(&mut self, live: &mut Live, slot: *mut pg_sys::TupleTableSlot, sign: i8) {
        unsafe {
            let values =
                std::slice::from_raw_parts((*slot).tts_values, (*slot).tts_nvalid as usize);
            let nulls = std::slice::from_raw_parts((*slot).tts_isnull, (*slot).tts_nvalid as usize);
            let get = |c: &Column| {
                let i = c.attnum as usize - 1;
                (!nulls[i]).then_some(values[i])
            };
            let Some(score) = get(&live.score) else {
                return;
            };
            let answer = match answer(&live.score, score) {
                Ok(a) => a,
                Err(e) if sign > 0 => e.report(),
                Err(_) => return,
            };
            let weight = match live.weight {
                None => None,
                Some(w) => match get(&w) {
                    None => return, // as nps_agg(score, weight): no weight, no response
                    Some(v) => match check_weight(weight(&w, v)) {
                        Ok(x) => Some(x),
                        Err(e) if sign > 0 => crate::weighted::report_weight_error(e),
                        Err(_) => return,
                    },
                },
            };
            let bucket = get(&live.time).map(|t| live.bucketer.bucket(t));
            let mut key = Vec::with_capacity(32);
            key.extend_from_slice(&bucket.map_or(u64::MAX, |b| b.value() as u64).to_ne_bytes());
            key.push(u8::from(bucket.is_some()));
            for c in &live.segments {
                key_bytes(&mut key, get(c), c);
            }
            let n = self.list.len();
            let at = *self.index.entry(key).or_insert(n);
            if at == n {
                self.list.push(Change {
                    bucket,
                    segments: live
                        .segments
                        .iter()
                        .map(|c| get(c).map(|v| copied(v, c)))
                        .collect(),
                    plus: Summary::default(),
                    minus: Summary::default(),
                });
            }
            let change = &mut self.list[at];
            let part = if sign > 0 {
                &mut change.plus
            } else {
                &mut change.minus
            };
            match weight {
                None => part.tally.add(answer),
                Some(w) => part
                    .add_weighted(answer, w)
                    .unwrap_or_else(|e| crate::summary::combine_error(e)),
            }
        }
    }

    /// Drop what a statement took out and put back (an UPDATE of other columns, or of a score
    /// to itself): counts cancel answer by answer; weighted parts only when identical.
    fn cancel(&mut self) {
        for c in &mut self.list {
            if c.plus.weights.is_none() && c.minus.weights.is_none() {
                let both: [i64; crate::tally::ANSWERS] = std::array::from_fn(|i| {
                    c.plus.tally.counts()[i].min(c.minus.tally.counts()[i])
                });
                let both = crate::tally::Tally::from_counts(both).expect("counts are at least 0");
                c.plus.tally.subtract(&both).expect("both parts hold these");
                c.minus
                    .tally
                    .subtract(&both)
                    .expect("both parts hold these");
            } else if c.plus == c.minus {
                c.plus = Summary::default();
                c.minus = Summary::default();
            }
        }
        self.list
            .retain(|c| !c.plus.is_empty() || !c.minus.is_empty());
    }
}

/// Read every row of a transition table into `changes`.
unsafe fn read_table(
    changes: &mut Changes,
    live: &mut Live,
    table: *mut pg_sys::Tuplestorestate,
    descriptor: pg_sys::TupleDesc,
    sign: i8,
) {
    if table.is_null() {
        return;
    }
    unsafe {
        let last = live
            .segments
            .iter()
            .chain([&live.score, &live.time])
            .chain(live.weight.iter())
            .map(|c| c.attnum)
            .max();
        let slot = pg_sys::MakeSingleTupleTableSlot(descriptor, &pg_sys::TTSOpsMinimalTuple);
        // a read pointer of our own: other triggers of the statement read the same table
        let pointer = pg_sys::tuplestore_alloc_read_pointer(table, pg_sys::EXEC_FLAG_REWIND as i32);
        pg_sys::tuplestore_select_read_pointer(table, pointer);
        pg_sys::tuplestore_rescan(table);
        while pg_sys::tuplestore_gettupleslot(table, true, false, slot) {
            pg_sys::slot_getsomeattrs(slot, i32::from(last.unwrap_or(1)));
            changes.add_row(live, slot, sign);
        }
        pg_sys::tuplestore_select_read_pointer(table, 0);
        pg_sys::ExecDropSingleTupleTableSlot(slot);
    }
}

/// A one-dimensional array of `values` (NULL where None) of element type `col`.
unsafe fn array(
    values: &[Option<pg_sys::Datum>],
    typid: pg_sys::Oid,
    typlen: i16,
    typbyval: bool,
    typalign: std::ffi::c_char,
) -> pg_sys::Datum {
    unsafe {
        let mut datums: Vec<pg_sys::Datum> = values
            .iter()
            .map(|v| v.unwrap_or(pg_sys::Datum::from(0)))
            .collect();
        let mut nulls: Vec<bool> = values.iter().map(Option::is_none).collect();
        let mut dims = [values.len() as i32];
        let mut lbs = [1];
        let a = pg_sys::construct_md_array(
            datums.as_mut_ptr(),
            nulls.as_mut_ptr(),
            1,
            dims.as_mut_ptr(),
            lbs.as_mut_ptr(),
            typid,
            typlen.into(),
            typbyval,
            typalign,
        );
        pg_sys::Datum::from(a)
    }
}

fn summary_datum(s: &Summary) -> Option<pg_sys::Datum> {
    (!s.is_empty()).then(|| {
        crate::summary::NpsSummary(*s)
            .into_datum()
            .expect("a summary is never NULL")
    })
}

/// Append a statement's changes to the live summary as one row of its delta table: two arrays
/// of rows of data's type (the answers in and the answers out, per key) and the time.
unsafe fn append(live: &Live, changes: &Changes) {
    unsafe {
        let descriptor = pg_sys::lookup_rowtype_tupdesc(live.row_type, -1);
        let mut values = Vec::with_capacity(3);
        for plus in [true, false] {
            let rows: Vec<Option<pg_sys::Datum>> = changes
                .list
                .iter()
                .filter_map(|c| {
                    summary_datum(if plus { &c.plus } else { &c.minus }).map(|s| (c, s))
                })
                .map(|(c, summary)| {
                    let mut fields: Vec<pg_sys::Datum> = Vec::with_capacity(c.segments.len() + 2);
                    let mut nulls: Vec<bool> = Vec::with_capacity(c.segments.len() + 2);
                    for v in std::iter::once(c.bucket)
                        .chain(c.segments.iter().copied())
                        .chain([Some(summary)])
                    {
                        fields.push(v.unwrap_or(pg_sys::Datum::from(0)));
                        nulls.push(v.is_none());
                    }
                    let tuple = pg_sys::heap_form_tuple(
                        descriptor,
                        fields.as_mut_ptr(),
                        nulls.as_mut_ptr(),
                    );
                    Some(pg_sys::heap_copy_tuple_as_datum(tuple, descriptor))
                })
                .collect();
            values.push(array(
                &rows,
                live.row_type,
                -1,
                false,
                b'd' as std::ffi::c_char,
            ));
        }
        pg_sys::DecrTupleDescRefCount(descriptor);
        // the key of delta's index: any value finds the row again (folds read the whole index);
        // the backend's own, so that writers do not all insert into its rightmost page
        values.push(pg_sys::Datum::from(i64::from(pg_sys::MyProcPid)));
        if live.plain_delta {
            let lock = pg_sys::RowExclusiveLock as i32;
            let relation = pg_sys::table_open(live.delta, lock);
            let index = pg_sys::index_open(live.delta_index, lock);
            let mut nulls = vec![false; values.len()];
            let tuple = pg_sys::heap_form_tuple(
                (*relation).rd_att,
                values.as_mut_ptr(),
                nulls.as_mut_ptr(),
            );
            pg_sys::simple_heap_insert(relation, tuple);
            let mut key = [*values.last().expect("the writer")];
            let mut key_null = [false];
            pg_sys::index_insert(
                index,
                key.as_mut_ptr(),
                key_null.as_mut_ptr(),
                &mut (*tuple).t_self,
                relation,
                pg_sys::IndexUniqueCheck::UNIQUE_CHECK_NO,
                false,
                pg_sys::BuildIndexInfo(index),
            );
            pg_sys::index_close(index, pg_sys::NoLock as i32);
            pg_sys::table_close(relation, pg_sys::NoLock as i32);
        } else {
            // an index, trigger or rule someone added: through the executor, which keeps them
            let _owner = as_owner_in_statement(live.owner, &[]);
            let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
            let types = Spi::get_one_with_args::<Vec<pg_sys::Oid>>(
                "SELECT pg_catalog.array_agg(a.atttypid ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped",
                &[pgrx::datum::DatumWithOid::new(live.delta, pg_sys::OIDOID)],
            )
            .ok()
            .flatten()
            .unwrap_or_default();
            let args: Vec<_> = values
                .iter()
                .zip(&types)
                .map(|(&v, &t)| pgrx::datum::DatumWithOid::new(v, t))
                .collect();
            Spi::run_with_args(
                &format!(
                    "INSERT INTO {} VALUES ({})",
                    live.storage.delta,
                    placeholders.join(", ")
                ),
                &args,
            )
            .unwrap_or_else(|e| error!("could not append to {}: {e}", live.storage.delta));
        }
    }
}

/// Fold every pending change into the live data, when the last fold is old enough (`due`) and
/// no other fold is running (whose lock on the configuration's row it skips), or always
/// (`due` false: refresh and nps_live_summary_fold, which wait for a running fold). Not in
/// SERIALIZABLE, whose reads of the live data could fail other serializable transactions; in
/// REPEATABLE READ a fold that meets a concurrent one fails quietly and is left to the next.
/// Inside a subtransaction: an error is a warning, never the writer's. Returns whether it
/// folded.
pub fn try_fold(live: &mut Live, due: bool) -> bool {
    let isolation = unsafe { pg_sys::XactIsoLevel };
    if due && isolation == pg_sys::XACT_SERIALIZABLE as i32 {
        return false;
    }
    let config = live_config::relation_text(live.config);
    let gate = if due {
        format!(
            "SELECT 1 FROM {config} WHERE folded_at OPERATOR(pg_catalog.<) (pg_catalog.clock_timestamp() \
             OPERATOR(pg_catalog.-) '{FOLD_INTERVAL}'::pg_catalog.interval) FOR UPDATE SKIP LOCKED"
        )
    } else {
        format!("SELECT 1 FROM {config} FOR UPDATE")
    };
    let folded = in_subtransaction(|| {
        // the pending rows are found through delta's index, whatever the planner thinks of it
        let _owner = as_owner_in_statement(
            live.owner,
            &[(c"enable_seqscan", c"off"), (c"enable_bitmapscan", c"off")],
        );
        Spi::connect_mut(|client| {
            if client.update(&gate, None, &[])?.is_empty() {
                return Ok(false);
            }
            // planned once per backend (the statement is long and the same every time)
            if live.fold_plan.is_none() {
                live.fold_plan = Some(client.prepare_mut(&live.storage.fold(), &[])?.keep());
            }
            client.update(live.fold_plan.as_ref().expect("just prepared"), None, &[])?;
            client.update(
                &format!("UPDATE {config} SET folded_at = pg_catalog.clock_timestamp()"),
                None,
                &[],
            )?;
            if live.renamed {
                crate::live_admin::write_names(client, live)?;
            }
            Ok::<_, pgrx::spi::Error>(true)
        })
        .unwrap_or_else(|e| error!("{e}"))
    });
    match folded {
        Ok(done) => done,
        Err((code, _)) if code == pgrx::PgSqlErrorCode::ERRCODE_T_R_SERIALIZATION_FAILURE => false,
        Err((_, e)) => {
            warning!("could not fold the changes of {}: {e}", live.storage.live);
            false
        }
    }
}

/// Run `f` in a subtransaction: its result, or, when it raised an error, the rollback of
/// what it did and the error's SQLSTATE and message (never raised further).
pub fn in_subtransaction<T>(f: impl FnOnce() -> T) -> Result<T, (pgrx::PgSqlErrorCode, String)> {
    unsafe {
        let context = pg_sys::CurrentMemoryContext;
        let owner = pg_sys::CurrentResourceOwner;
        pg_sys::BeginInternalSubTransaction(std::ptr::null());
        pg_sys::MemoryContextSwitchTo(context);
        let result = pgrx::PgTryBuilder::new(std::panic::AssertUnwindSafe(|| {
            let value = f();
            pg_sys::ReleaseCurrentSubTransaction();
            Ok(value)
        }))
        .catch_others(|e| {
            pg_sys::MemoryContextSwitchTo(context);
            pg_sys::RollbackAndReleaseCurrentSubTransaction();
            Err(match e {
                pg_sys::panic::CaughtError::PostgresError(r)
                | pg_sys::panic::CaughtError::ErrorReport(r)
                | pg_sys::panic::CaughtError::RustPanic { ereport: r, .. } => {
                    (r.sql_error_code(), r.message().to_string())
                }
            })
        })
        .execute();
        pg_sys::MemoryContextSwitchTo(context);
        pg_sys::CurrentResourceOwner = owner;
        result
    }
}

/// What a statement or row trigger does: collect the changes and append them.
unsafe fn summarize(live: &mut Live, data: &pg_sys::TriggerData, row_level: bool) {
    unsafe {
        let descriptor = (*data.tg_relation).rd_att;
        let mut changes = Changes::default();
        if row_level {
            let op = data.tg_event & pg_sys::TRIGGER_EVENT_OPMASK;
            let (old, new) = match op {
                pg_sys::TRIGGER_EVENT_INSERT => (None, Some(data.tg_trigslot)),
                pg_sys::TRIGGER_EVENT_DELETE => (Some(data.tg_trigslot), None),
                _ => (Some(data.tg_trigslot), Some(data.tg_newslot)),
            };
            let last = live
                .segments
                .iter()
                .chain([&live.score, &live.time])
                .chain(live.weight.iter())
                .map(|c| c.attnum)
                .max();
            for (slot, sign) in [(new, 1), (old, -1)] {
                if let Some(slot) = slot.filter(|s| !s.is_null()) {
                    pg_sys::slot_getsomeattrs(slot, i32::from(last.unwrap_or(1)));
                    changes.add_row(live, slot, sign);
                }
            }
        } else {
            read_table(&mut changes, live, data.tg_newtable, descriptor, 1);
            read_table(&mut changes, live, data.tg_oldtable, descriptor, -1);
        }
        changes.cancel();
        if changes.list.is_empty() {
            return;
        }
        append(live, &changes);
        let now = std::time::Instant::now();
        if now.duration_since(live.tried) >= FOLD_CHECK {
            live.tried = now;
            try_fold(live, true);
        }
    }
}

/// TRUNCATE: of the whole source (its root), the summary empties after it; of a partition
/// alone, its answers are taken out before it (read while the partition is locked).
unsafe fn truncate(live: &Live, before: bool) {
    let whole = live.relation == live.root;
    if whole && !before {
        let _owner = as_owner_in_statement(live.owner, &[]);
        for sql in live.storage.clear() {
            Spi::run(&sql).unwrap_or_else(|e| error!("{e}"));
        }
    } else if !whole && before {
        let relation = live_config::relation_text(live.relation);
        let taken = in_subtransaction(|| {
            let _owner = as_owner_in_statement(live.owner, &[]);
            let parts = format!(
                "SELECT r.*, NULL::{}.nps_summary AS plus, r.summary AS minus FROM ({}) r",
                live.storage.ext,
                live.storage.recompute(&live.source, "")
            );
            Spi::run(&live.storage.append(&parts)).unwrap_or_else(|e| error!("{e}"));
        });
        if let Err((_, e)) = taken {
            warning!(
                "could not take the answers of {relation} out of {}: {e}",
                live.storage.live
            );
        }
    }
}

unsafe fn maintain(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    unsafe {
        let data = (*fcinfo).context as *mut pg_sys::TriggerData;
        if data.is_null() || (*data).type_ != pg_sys::NodeTag::T_TriggerData {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                "nps_live_maintain() is called only by the triggers of live summaries"
            );
        }
        let data = &*data;
        let trigger = &*data.tg_trigger;
        let name = CStr::from_ptr(trigger.tgname).to_string_lossy();
        let event = data.tg_event;
        let row_level = event & pg_sys::TRIGGER_EVENT_ROW != 0;
        let op = event & pg_sys::TRIGGER_EVENT_OPMASK;
        let before = event & pg_sys::TRIGGER_EVENT_TIMINGMASK == pg_sys::TRIGGER_EVENT_BEFORE;
        // Ordinary sessions fire the statement triggers, replication's apply workers (and any
        // session with session_replication_role = replica) the row triggers: never both.
        let replica =
            pg_sys::SessionReplicationRole == pg_sys::SESSION_REPLICATION_ROLE_REPLICA as i32;
        let acts = op == pg_sys::TRIGGER_EVENT_TRUNCATE || row_level == replica;
        let relation = (*data.tg_relation).rd_id;
        if !acts || trigger.tgnargs < 1 {
            return pg_sys::Datum::from(0);
        }
        let config = CStr::from_ptr(*trigger.tgargs)
            .to_string_lossy()
            .into_owned();
        if !live_config::TRIGGERS.contains(&name.as_ref()) {
            warning!("trigger {name} is not one of a live summary's: it does nothing");
            return pg_sys::Datum::from(0);
        }
        live_config::with_live(trigger.tgoid, relation, &config, |live| {
            match live {
            Err(why) => warning!(
                "the live summary kept by trigger {name} on {} does not summarize this change: {why}",
                live_config::relation_text(relation)
            ),
            Ok(live) if op == pg_sys::TRIGGER_EVENT_TRUNCATE => truncate(live, before),
            Ok(live) => summarize(live, data, row_level),
        }
        });
        pg_sys::Datum::from(0)
    }
}

v1_function!(nps_live_maintain, pg_finfo_nps_live_maintain, maintain);

use pgrx::{IntoDatum, PgSqlErrorCode};

extension_sql!(
    r#"
CREATE FUNCTION nps_live_maintain() RETURNS trigger
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_maintain';
COMMENT ON FUNCTION nps_live_maintain() IS
    'The trigger of live summaries: adds what a statement changed to the live summary its argument names, as the table''s owner';
"#,
    name = "nps_live_maintain"
);
