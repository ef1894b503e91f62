//! The maintenance of live summaries: `nps_live_maintain()`, one C trigger function shared by
//! every live summary, as PostgreSQL's foreign-key triggers are. It finds its live summary from
//! the trigger (live_config.rs), works as the source's owner (acting.rs), and does exactly one
//! thing: add what a statement changed to that summary.
//!
//! Writers never wait for each other because of it: a statement's changes are grouped by
//! bucket and segments here, in memory, and appended as ONE row to the live summary's delta
//! table (one per 50,000 keys), straight into its heap. No row is ever updated by a writer, so
//! no writer holds a lock another needs, and no REPEATABLE READ or SERIALIZABLE writer meets a
//! serialization failure because of the summary. Now and then (live_fold.rs says when) a writer
//! that finds no fold running folds the pending rows into the live data, as its transaction
//! commits (live_fold.rs).
//!
//! Statement triggers (with transition tables) cover ordinary sessions; row triggers, enabled
//! REPLICA only, cover logical replication's apply workers, which fire no statement triggers.
//! TRUNCATE empties the summary when the whole source is truncated, and takes out a partition's
//! answers when a partition alone is.

use crate::acting::AsOwner;
use crate::live_changes::Changes;
use crate::live_config::{self, Live};
use crate::live_fold::{fold_at_commit, FOLD_CHECK};
use pgrx::prelude::*;
use pgrx::spi::Spi;
use std::ffi::CStr;

/// Working as the source's owner inside a writer's statement, without JIT: compiling (tens of
/// milliseconds, and the fold's forced index scans look costly to the planner) would cost far
/// more than the small queries run here.
pub fn as_owner_in_statement(owner: pg_sys::Oid, settings: &[(&CStr, &CStr)]) -> AsOwner {
    let mut all = vec![(c"jit", c"off")];
    all.extend_from_slice(settings);
    AsOwner::with(owner, &all)
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
        let last = live.last_attnum();
        let slot = pg_sys::MakeSingleTupleTableSlot(descriptor, &pg_sys::TTSOpsMinimalTuple);
        // a read pointer of our own: other triggers of the statement read the same table
        let pointer = pg_sys::tuplestore_alloc_read_pointer(table, pg_sys::EXEC_FLAG_REWIND as i32);
        pg_sys::tuplestore_select_read_pointer(table, pointer);
        pg_sys::tuplestore_rescan(table);
        while pg_sys::tuplestore_gettupleslot(table, true, false, slot) {
            pg_sys::slot_getsomeattrs(slot, i32::from(last));
            changes.add_row(live, slot, sign);
            if changes.full() {
                // a statement over very many keys: several delta rows
                changes.cancel();
                append(live, changes);
                *changes = Changes::new();
            }
        }
        pg_sys::tuplestore_select_read_pointer(table, 0);
        pg_sys::ExecDropSingleTupleTableSlot(slot);
    }
}

/// Append a statement's changes to the live summary as one row of its delta table: two arrays
/// of rows of data's type (the answers in and the answers out, per key; NULL when none) and
/// the writer.
unsafe fn append(live: &mut Live, changes: &Changes) {
    unsafe {
        let [plus, minus] = changes.arrays(live);
        // the key of delta's index: any value finds the row again (folds read the whole index);
        // the backend's own, so that writers do not all insert into its rightmost page
        let writer = pg_sys::Datum::from(i64::from(pg_sys::MyProcPid));
        let mut values = [plus.unwrap_or(writer), minus.unwrap_or(writer), writer];
        let mut nulls = [plus.is_none(), minus.is_none(), false];
        if live.plain_delta {
            let lock = pg_sys::RowExclusiveLock as i32;
            let relation = pg_sys::table_open(live.delta, lock);
            let index = pg_sys::index_open(live.delta_index, lock);
            if live.delta_index_info.is_null() {
                live.delta_index_info = live.memory.within(|| pg_sys::BuildIndexInfo(index));
            }
            let tuple = pg_sys::heap_form_tuple(
                (*relation).rd_att,
                values.as_mut_ptr(),
                nulls.as_mut_ptr(),
            );
            pg_sys::simple_heap_insert(relation, tuple);
            let mut key = [writer];
            let mut key_null = [false];
            pg_sys::index_insert(
                index,
                key.as_mut_ptr(),
                key_null.as_mut_ptr(),
                &mut (*tuple).t_self,
                relation,
                pg_sys::IndexUniqueCheck::UNIQUE_CHECK_NO,
                false,
                live.delta_index_info,
            );
            pg_sys::index_close(index, pg_sys::NoLock as i32);
            pg_sys::table_close(relation, pg_sys::NoLock as i32);
        } else {
            // an index, trigger or rule someone added: through the executor, which keeps them
            let _owner = as_owner_in_statement(live.owner, &[]);
            let array_type = pg_sys::get_array_type(live.row_type);
            let args: Vec<_> = [(plus, array_type), (minus, array_type)]
                .into_iter()
                .map(|(v, t)| match v {
                    Some(v) => pgrx::datum::DatumWithOid::new(v, t),
                    None => pgrx::datum::DatumWithOid::null_oid(t),
                })
                .chain([pgrx::datum::DatumWithOid::new(writer, pg_sys::INT8OID)])
                .collect();
            Spi::run_with_args(
                &format!(
                    "INSERT INTO {} (nps_live_plus, nps_live_minus, nps_live_writer) VALUES ($1, $2, $3)",
                    live.storage.delta
                ),
                &args,
            )
            .unwrap_or_else(|e| error!("could not append to {}: {e}", live.storage.delta));
        }
    }
}

/// Run `f` in a subtransaction: its result, or, when it raised an error, the rollback of
/// what it did and the error's SQLSTATE and message (never raised further), but for a query
/// cancel, raised again, as PL/pgSQL's `WHEN OTHERS` leaves it: a cancel cancels the
/// statement (or the commit), and a write whose summary gave up on a cancel would be
/// summarized wrong, or not at all.
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
            pg_sys::CurrentResourceOwner = owner;
            let (code, message) = match &e {
                pg_sys::panic::CaughtError::PostgresError(r)
                | pg_sys::panic::CaughtError::ErrorReport(r)
                | pg_sys::panic::CaughtError::RustPanic { ereport: r, .. } => {
                    (r.sql_error_code(), r.message().to_string())
                }
            };
            if code == pgrx::PgSqlErrorCode::ERRCODE_QUERY_CANCELED {
                e.rethrow();
            }
            Err((code, message))
        })
        .execute();
        pg_sys::MemoryContextSwitchTo(context);
        pg_sys::CurrentResourceOwner = owner;
        result
    }
}

/// What a statement or row trigger does: collect the changes and append them. Returns whether
/// it is time to look for a fold (at the backend's first write, then every FOLD_CHECK).
unsafe fn summarize(live: &mut Live, data: &pg_sys::TriggerData, row_level: bool) -> bool {
    unsafe {
        let descriptor = (*data.tg_relation).rd_att;
        // the last statement's room: a statement of a few rows does not make its lists and
        // hash table anew
        let mut changes = std::mem::take(&mut live.spare);
        changes.begin();
        if row_level {
            let op = data.tg_event & pg_sys::TRIGGER_EVENT_OPMASK;
            let (old, new) = match op {
                pg_sys::TRIGGER_EVENT_INSERT => (None, Some(data.tg_trigslot)),
                pg_sys::TRIGGER_EVENT_DELETE => (Some(data.tg_trigslot), None),
                _ => (Some(data.tg_trigslot), Some(data.tg_newslot)),
            };
            let last = live.last_attnum();
            for (slot, sign) in [(new, 1), (old, -1)] {
                if let Some(slot) = slot.filter(|s| !s.is_null()) {
                    pg_sys::slot_getsomeattrs(slot, i32::from(last));
                    changes.add_row(live, slot, sign);
                }
            }
        } else {
            // a statement touches at most a key per row: no growing while it reads them
            let rows = [data.tg_newtable, data.tg_oldtable]
                .iter()
                .filter(|t| !t.is_null())
                .map(|&t| pg_sys::tuplestore_tuple_count(t) as usize)
                .sum();
            changes.reserve(rows);
            read_table(&mut changes, live, data.tg_newtable, descriptor, 1);
            read_table(&mut changes, live, data.tg_oldtable, descriptor, -1);
        }
        changes.cancel();
        let any = !changes.list.is_empty();
        if any {
            append(live, &changes);
        }
        if changes.worth_keeping() {
            changes.list.clear();
            live.spare = changes;
        }
        if !any {
            return false;
        }
        let now = std::time::Instant::now();
        let look = live
            .tried
            .is_none_or(|t| now.duration_since(t) >= FOLD_CHECK);
        if look {
            live.tried = Some(now);
        }
        look
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
        let name = CStr::from_ptr(trigger.tgname);
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
        if !live_config::TRIGGERS
            .iter()
            .any(|t| t.as_bytes() == name.to_bytes())
        {
            warning!(
                "trigger {} is not one of a live summary's: it does nothing",
                name.to_string_lossy()
            );
            return pg_sys::Datum::from(0);
        }
        // one argument per live summary of the table, each kept once: a configuration named
        // twice, however spelled (a trigger someone else made), would count its answers twice
        let several = trigger.tgnargs > 1;
        let mut kept: Vec<pg_sys::Oid> = Vec::new();
        let not_summarized = |why: &str| {
            warning!(
                "the live summary kept by trigger {} on {} does not summarize this change: {why}",
                name.to_string_lossy(),
                live_config::relation_text(relation)
            )
        };
        for i in 0..trigger.tgnargs as usize {
            let config = CStr::from_ptr(*trigger.tgargs.add(i));
            live_config::with_live(trigger.tgoid, i, relation, config, |live| match live {
                Err(why) => not_summarized(why),
                Ok(live) if kept.contains(&live.config) => warning!(
                    "trigger {} names the live summary {} more than once: it keeps it once",
                    name.to_string_lossy(),
                    live.storage.live
                ),
                Ok(live) => {
                    if several {
                        kept.push(live.config);
                    }
                    if op == pg_sys::TRIGGER_EVENT_TRUNCATE {
                        truncate(live, before);
                    } else if summarize(live, data, row_level) {
                        fold_at_commit(trigger.tgoid, i, relation, config);
                    }
                }
            });
        }
        pg_sys::Datum::from(0)
    }
}

v1_function!(nps_live_maintain, pg_finfo_nps_live_maintain, maintain);

use pgrx::PgSqlErrorCode;

extension_sql!(
    r#"
CREATE FUNCTION nps_live_maintain() RETURNS trigger
    VOLATILE PARALLEL UNSAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_maintain';
COMMENT ON FUNCTION nps_live_maintain() IS
    'The trigger of live summaries: adds what a statement changed to the live summary its argument names, as the table''s owner';
"#,
    name = "nps_live_maintain"
);
