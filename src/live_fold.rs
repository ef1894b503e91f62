//! Folding: the pending changes of a live summary merged into its data, now and then, by a
//! writer that finds a fold due (or by refresh and nps_live_summary_fold).
//!
//! A fold takes the pending delta rows (deleting them), groups their parts per key here, in
//! memory, and merges the groups into data in one statement. Grouping here rather than in SQL
//! matters when writers touch many keys: a second of 100-row statements spread over three
//! years brings some 300,000 parts for 54,800 keys.

use crate::acting::Settings;
use crate::live_changes::Changes;
use crate::live_config::Live;
use crate::live_trigger::{as_owner_in_statement, in_subtransaction};
use pgrx::datum::DatumWithOid;
use pgrx::prelude::*;
use pgrx::spi::{Spi, SpiClient};
use pgrx::PgMemoryContexts;

/// Folds are paced for the whole live summary, not per writer: the configuration table's row
/// says when the next one is due (`fold_due`), and the fold locks that row, so two never run at
/// once and nobody waits for one. After a fold, the next is due after a rest of FOLD_REST
/// times the CPU time it took, within FOLD_REST_MIN and FOLD_REST_MAX: while folds are cheap
/// (writers touch few keys, or few writers write), pending changes stay few and readers merge
/// little; when they are costly (writes spread over many keys), they take at most a fifth of
/// the CPU one backend gets, and each merges more changes of a key into one update of its
/// row. CPU time, not time on the clock: a fold slowed down by busy readers must not rest
/// longer, or pending changes would pile up and slow the readers more.
const FOLD_REST: u32 = 4;
const FOLD_REST_MIN: std::time::Duration = std::time::Duration::from_millis(25);
const FOLD_REST_MAX: std::time::Duration = std::time::Duration::from_secs(10);
/// How often a writer looks whether a fold is due.
pub const FOLD_CHECK: std::time::Duration = std::time::Duration::from_millis(100);

/// The CPU time this backend has used.
fn cpu_time() -> std::time::Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a clock every POSIX system has, writing into a timespec of ours
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    std::time::Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// The rest after a fold that took `took` of CPU time.
fn rest_after(took: std::time::Duration) -> std::time::Duration {
    (took * FOLD_REST).clamp(FOLD_REST_MIN, FOLD_REST_MAX)
}

/// Fold every pending change into the live data, when the last fold is old enough (`due`) and
/// no other fold is running (whose lock on the configuration's row it skips), or always
/// (`due` false: refresh and nps_live_summary_fold, which wait for a running fold). Not in
/// SERIALIZABLE, whose reads of the live data could fail other serializable transactions; in
/// REPEATABLE READ a fold that meets a concurrent one fails quietly and is left to the next.
/// Inside a subtransaction: an error is a warning, never the writer's (but for a cancel,
/// live_trigger.rs's `in_subtransaction`). Returns whether it folded.
pub fn try_fold(live: &mut Live, due: bool) -> bool {
    let isolation = unsafe { pg_sys::XactIsoLevel };
    if due && isolation == pg_sys::XACT_SERIALIZABLE as i32 {
        return false;
    }
    let config = live.config_name.clone();
    // a writer's fold waits for nobody: a lock someone took on the live summary's tables (it
    // never conflicts with writers, readers or autovacuum) makes it give up, the write stands
    let patience: &[(&std::ffi::CStr, &std::ffi::CStr)] = if due {
        &[(c"lock_timeout", c"100ms")]
    } else {
        &[]
    };
    let folded = in_subtransaction(|| {
        let _owner = as_owner_in_statement(live.owner, patience);
        Spi::connect_mut(|client| {
            let locked = if due {
                // asked every FOLD_CHECK by every writer: planned once per backend
                if live.gate_plan.is_none() {
                    let gate = format!(
                        "SELECT 1 FROM {} WHERE fold_due OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp() \
                         FOR UPDATE SKIP LOCKED",
                        config
                    );
                    live.gate_plan = Some(client.prepare_mut(&gate, &[])?.keep());
                }
                client.update(live.gate_plan.as_ref().expect("just prepared"), None, &[])?
            } else {
                client.update(&format!("SELECT 1 FROM {config} FOR UPDATE"), None, &[])?
            };
            if locked.is_empty() {
                return Ok(false);
            }
            let started = cpu_time();
            fold(live, client)?;
            let rest = rest_after(cpu_time().saturating_sub(started));
            client.update(
                &format!(
                    "UPDATE {} SET fold_due = pg_catalog.clock_timestamp() \
                     OPERATOR(pg_catalog.+) pg_catalog.make_interval(secs => {})",
                    config,
                    rest.as_secs_f64()
                ),
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
        Err((pgrx::PgSqlErrorCode::ERRCODE_T_R_SERIALIZATION_FAILURE, _)) => false,
        Err((_, e)) => {
            warning!("could not fold the changes of {}: {e}", live.storage.live);
            false
        }
    }
}

thread_local! {
    /// The live summaries (by trigger and argument, table and configuration, as `with_live`
    /// finds them) whose writers found it time to look for a fold in this transaction.
    static AT_COMMIT: std::cell::RefCell<Vec<(pg_sys::Oid, usize, pg_sys::Oid, std::ffi::CString)>> =
        const { std::cell::RefCell::new(Vec::new()) };
    static REGISTERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A writer found it time to look for a fold: look when its transaction commits, not now. What
/// a fold locks (the configuration's row, the data rows it updates) stays locked until the
/// transaction ends, and no other writer folds meanwhile: a writer that folded in the first
/// statement of a long transaction (a load, a session idle in transaction) would stop the
/// folds of everyone until it committed, while the pending changes, which every reader
/// merges, piled up. A statement outside a transaction block commits as it ends, so for it
/// nothing changes.
pub fn fold_at_commit(
    trigger: pg_sys::Oid,
    argument: usize,
    relation: pg_sys::Oid,
    config: &std::ffi::CStr,
) {
    if !REGISTERED.get() {
        // SAFETY: a callback for the backend's life, registered once
        unsafe { pg_sys::RegisterXactCallback(Some(at_transaction_end), std::ptr::null_mut()) };
        REGISTERED.set(true);
    }
    AT_COMMIT.with(|due| {
        let mut due = due.borrow_mut();
        if !due
            .iter()
            .any(|&(t, a, _, _)| t == trigger && a == argument)
        {
            due.push((trigger, argument, relation, config.to_owned()));
        }
    });
}

/// At the end of every transaction: before a commit, the folds its writers asked for; never in
/// a transaction being prepared (its locks would last until COMMIT PREPARED) or aborted.
#[pg_guard]
unsafe extern "C-unwind" fn at_transaction_end(
    event: pg_sys::XactEvent::Type,
    _arg: *mut std::ffi::c_void,
) {
    let due = AT_COMMIT.with(|due| std::mem::take(&mut *due.borrow_mut()));
    if event != pg_sys::XactEvent::XACT_EVENT_PRE_COMMIT || due.is_empty() {
        return;
    }
    // the statement's snapshot is gone by now: the fold's queries take the transaction's
    unsafe { pg_sys::PushActiveSnapshot(pg_sys::GetTransactionSnapshot()) };
    for (trigger, argument, relation, config) in due {
        crate::live_config::with_live(trigger, argument, relation, &config, |live| {
            if let Ok(live) = live {
                try_fold(live, true);
            }
        });
    }
    unsafe { pg_sys::PopActiveSnapshot() };
}

/// How many pending rows a fold reads at once: their parts are grouped, then the memory the
/// batch took is freed. The rows wait in the take's result store, on disk beyond `work_mem`.
const ROWS_AT_ONCE: std::ffi::c_long = 1000;

/// Take the pending changes, group them per key, merge them into data (in several merges when
/// they hold more than FOLD_KEYS_AT_ONCE keys, so that a backlog of any size folds in bounded
/// memory).
fn fold(live: &mut Live, client: &mut SpiClient<'_>) -> Result<(), pgrx::spi::Error> {
    let mut cursor = {
        // the pending rows are found through delta's index, whatever the planner thinks of it:
        // folded rows are deleted, and until VACUUM comes by a scan would read them all
        let _index = Settings::new(&[(c"enable_seqscan", c"off"), (c"enable_bitmapscan", c"off")]);
        // planned once per backend
        if live.take_plan.is_none() {
            live.take_plan = Some(client.prepare_mut(&live.storage.take(), &[])?.keep());
        }
        client.try_open_cursor_mut(live.take_plan.as_ref().expect("just prepared"), &[])?
    };
    let mut changes = Changes::for_fold();
    let mut batch_memory = PgMemoryContexts::new("nps_live fold batch");
    while !cursor.fetch(ROWS_AT_ONCE)?.is_empty() {
        // the rows fetched, read raw
        unsafe {
            let taken = pg_sys::SPI_tuptable;
            let rows = std::slice::from_raw_parts((*taken).vals, pg_sys::SPI_processed as usize);
            let descriptor = live.row_descriptor;
            batch_memory.switch_to(|_| {
                for &row in rows {
                    for (column, sign) in [(1, 1), (2, -1)] {
                        let mut null = false;
                        let parts = pg_sys::SPI_getbinval(row, (*taken).tupdesc, column, &mut null);
                        if !null {
                            changes.add_parts(live, descriptor, &elements(live, parts), sign);
                        }
                    }
                }
            });
            pg_sys::SPI_freetuptable(taken);
            batch_memory.reset();
        }
        if changes.full() {
            merge(
                live,
                client,
                std::mem::replace(&mut changes, Changes::for_fold()),
            )?;
        }
    }
    merge(live, client, changes)
}

/// Merge changes into data, in one statement.
fn merge(
    live: &Live,
    client: &mut SpiClient<'_>,
    mut changes: Changes,
) -> Result<(), pgrx::spi::Error> {
    changes.cancel();
    if changes.list.is_empty() {
        return Ok(());
    }
    let [rows, minus_parts] = unsafe { changes.keyed_arrays(live) };
    let (rows_type, minus_type) = unsafe {
        (
            pg_sys::get_array_type(live.row_type),
            pg_sys::get_array_type(live.summary_type),
        )
    };
    // planned each time, with the arrays as constants (see Storage::merge); never a merge
    // join, whose sorts on the keys' arrays cost more than all the rest
    let _hash = Settings::new(&[(c"enable_mergejoin", c"off")]);
    client.update(
        &live.storage.merge(live.exact_keys, changes.takes_out()),
        None,
        &[unsafe { DatumWithOid::new(rows, rows_type) }, unsafe {
            DatumWithOid::new(minus_parts, minus_type)
        }],
    )?;
    Ok(())
}

/// The elements of an array of data's rows (none NULL: appended by this extension).
unsafe fn elements(live: &Live, array: pg_sys::Datum) -> Vec<pg_sys::Datum> {
    unsafe {
        let array = pg_sys::pg_detoast_datum(array.cast_mut_ptr()) as *mut pg_sys::ArrayType;
        let mut values: *mut pg_sys::Datum = std::ptr::null_mut();
        let mut nulls: *mut bool = std::ptr::null_mut();
        let mut n = 0;
        pg_sys::deconstruct_array(
            array,
            live.row_type,
            -1,
            false,
            b'd' as std::ffi::c_char,
            &mut values,
            &mut nulls,
            &mut n,
        );
        (0..n as usize)
            .filter(|&i| !*nulls.add(i))
            .map(|i| *values.add(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_fold_rests_four_times_as_long_as_it_took_within_bounds() {
        assert_eq!(
            rest_after(Duration::from_millis(5)),
            Duration::from_millis(25)
        );
        assert_eq!(
            rest_after(Duration::from_millis(30)),
            Duration::from_millis(120)
        );
        assert_eq!(
            rest_after(Duration::from_millis(800)),
            Duration::from_millis(3200)
        );
        assert_eq!(rest_after(Duration::from_secs(60)), Duration::from_secs(10));
    }
}
