//! What a live summary's trigger needs to know, found from the trigger itself and checked:
//! its argument names the live summary's configuration table, whose `source` (a regclass, so
//! it follows renames and pg_dump/restore) must be the table the trigger fired on (or the
//! root of its partition tree), and which, like the live data, must belong to that table's
//! owner. Anything else (a trigger a role with only the TRIGGER privilege attached, a table
//! renamed away) is not a live summary's, and the trigger does nothing but warn.
//!
//! Columns are found by name in the source, and by number when the name is gone (a column
//! renamed since: folds write the new names back, so that a dump carries them). What was found
//! is kept per trigger and backend until PostgreSQL invalidates any relation involved.

use crate::acting::AsOwner;
use crate::buckets::Width;
use crate::live_bucket::{self, TimeKind};
use crate::live_sql::{Source, Storage};
use pgrx::prelude::*;
use pgrx::spi::Spi;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, CString};

/// The triggers a live summary installs; the maintenance acts for no other.
pub const TRIGGERS: [&str; 7] = [
    "nps_live_insert",
    "nps_live_update",
    "nps_live_delete",
    "nps_live_truncate",
    "nps_live_replica_insert",
    "nps_live_replica_update",
    "nps_live_replica_delete",
];

/// The layout of the configuration table this release writes and reads.
pub const FORMAT: i32 = 1;

/// A column of the relation a trigger fired on.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub attnum: i16,
    /// The declared type, and the base type of a domain.
    pub typid: pg_sys::Oid,
    pub base: pg_sys::Oid,
    pub typlen: i16,
    pub typbyval: bool,
    pub typalign: std::ffi::c_char,
}

/// A live summary as one relation's trigger sees it.
pub struct Live {
    pub relation: pg_sys::Oid,
    pub root: pg_sys::Oid,
    pub owner: pg_sys::Oid,
    pub config: pg_sys::Oid,
    pub delta: pg_sys::Oid,
    pub data: pg_sys::Oid,
    /// nps_summary's OID, and whether delta takes rows straight into its heap and its index
    /// on nps_live_writer (no other index, trigger, rule or row security: as this extension
    /// makes it).
    pub summary_type: pg_sys::Oid,
    /// data's row type: delta's arrays hold its rows
    pub row_type: pg_sys::Oid,
    /// a copy of its descriptor, in `memory`: found once, not at every statement
    pub row_descriptor: pg_sys::TupleDesc,
    pub plain_delta: bool,
    /// Whether keys equal in SQL always have identical bytes (a fold groups by bytes).
    pub exact_keys: bool,
    pub delta_index: pg_sys::Oid,
    /// what inserting into that index needs to know of it, in `memory`, once built
    pub delta_index_info: *mut pg_sys::IndexInfo,
    /// the configuration table, qualified and quoted
    pub config_name: String,
    pub score: Column,
    pub time: Column,
    pub weight: Option<Column>,
    pub segments: Vec<Column>,
    pub kind: TimeKind,
    pub bucketer: live_bucket::Bucketer,
    pub storage: Storage,
    /// The relation the trigger fired on, read ONLY, as a recomputation reads it.
    pub source: Source,
    /// The configuration's column names are out of date (renamed columns).
    pub renamed: bool,
    /// When this backend last looked whether a fold is due; never, for its first write: a
    /// session that writes once and ends (a job, a client without a pool) must look too, or
    /// with only such writers nothing would ever fold.
    pub tried: Option<std::time::Instant>,
    /// The fold's statement that takes the pending rows, once planned.
    pub take_plan: Option<pgrx::spi::OwnedPreparedStatement>,
    /// The statement that looks whether a fold is due, once planned.
    pub gate_plan: Option<pgrx::spi::OwnedPreparedStatement>,
    /// where what is kept from statement to statement lives, freed with this
    pub memory: KeptMemory,
    /// the last statement's changes, emptied: their room, for the next statement
    pub spare: crate::live_changes::Changes,
    /// data, delta or delta's index changed since this was found: look again before use
    pub recheck: bool,
}

/// A memory context of its own under TopMemoryContext: what a Live keeps between statements
/// and transactions, deleted when the Live is forgotten.
pub struct KeptMemory(pub pg_sys::MemoryContext);

impl KeptMemory {
    fn new() -> KeptMemory {
        // SAFETY: a child of TopMemoryContext, which lives as long as the backend
        KeptMemory(unsafe {
            pg_sys::AllocSetContextCreateExtended(
                pg_sys::TopMemoryContext,
                c"nps_live summary".as_ptr(),
                pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
                pg_sys::ALLOCSET_SMALL_INITSIZE as usize,
                pg_sys::ALLOCSET_SMALL_MAXSIZE as usize,
            )
        })
    }

    /// Run `f` with this context current.
    pub fn within<T>(&self, f: impl FnOnce() -> T) -> T {
        // SAFETY: switching back to the caller's context whatever f does short of an error,
        // after which PostgreSQL resets the current context itself
        unsafe {
            let caller = pg_sys::MemoryContextSwitchTo(self.0);
            let result = f();
            pg_sys::MemoryContextSwitchTo(caller);
            result
        }
    }
}

impl Drop for KeptMemory {
    fn drop(&mut self) {
        // SAFETY: ours, and nothing of it is used after the Live that holds it
        unsafe { pg_sys::MemoryContextDelete(self.0) };
    }
}

impl Live {
    /// The highest attribute number a trigger reads: slots deform only that far.
    pub fn last_attnum(&self) -> i16 {
        self.segments
            .iter()
            .chain([&self.score, &self.time])
            .chain(self.weight.iter())
            .map(|c| c.attnum)
            .max()
            .unwrap_or(1)
    }
}

/// A live summary's configuration, as its table holds it.
pub struct Config {
    pub oid: pg_sys::Oid,
    pub source: pg_sys::Oid,
    pub source_name: String,
    /// score, time, weight (None: unweighted), segments...
    pub names: Vec<Option<String>>,
    pub attnums: Vec<i16>,
    pub bucket: (i32, i32, i64),
    pub bucket_text: String,
    pub time_zone: Option<String>,
    pub live: pg_sys::Oid,
    pub data: pg_sys::Oid,
    pub delta: pg_sys::Oid,
    pub format: i32,
    pub storage: Storage,
    /// Owners of the configuration table and the live data.
    pub owners: [pg_sys::Oid; 3],
}

/// The configuration table's columns (CREATE TABLE ... (these)).
pub const CONFIG_COLUMNS: &str = "source regclass NOT NULL, source_name text NOT NULL, \
    score_column name NOT NULL, time_column name NOT NULL, weight_column name, segments name[] NOT NULL, \
    attnums smallint[] NOT NULL, bucket interval NOT NULL, time_zone text, \
    live regclass NOT NULL, data regclass NOT NULL, delta regclass NOT NULL, format integer NOT NULL, \
    fold_due timestamptz NOT NULL DEFAULT '-infinity'";

/// Read a configuration table (its only row), as its owner would see it.
pub fn read_config(oid: pg_sys::Oid) -> Result<Config, String> {
    let table = relation_text(oid);
    let query = format!(
        "SELECT c.source::pg_catalog.oid, c.source_name, c.score_column::text, c.time_column::text,
                c.weight_column::text, c.segments::text[], c.attnums, c.bucket, c.time_zone,
                c.live::pg_catalog.oid, c.data::pg_catalog.oid, c.delta::pg_catalog.oid, c.format,
                c.bucket::text
           FROM {table} c LIMIT 2"
    );
    let missing = |what: &str| format!("{table} has no {what}");
    Spi::connect(|client| {
        let rows = client
            .select(&query, None, &[])
            .map_err(|e| format!("{table} cannot be read: {e}"))?;
        match rows.len() {
            0 => return Err(format!("{table} holds no row")),
            1 => {}
            _ => return Err(format!("{table} holds more than one row")),
        }
        let row = rows.first();
        let get_oid = |i| {
            row.get::<pg_sys::Oid>(i)
                .ok()
                .flatten()
                .ok_or_else(|| missing("row"))
        };
        let text = |i| row.get::<String>(i).ok().flatten();
        let interval = row
            .get::<pgrx::datum::Interval>(8)
            .ok()
            .flatten()
            .ok_or_else(|| missing("bucket"))?;
        let mut names = vec![text(3), text(4), text(5)];
        names.extend(
            row.get::<Vec<String>>(6)
                .ok()
                .flatten()
                .unwrap_or_default()
                .into_iter()
                .map(Some),
        );
        let format: i32 = row.get(13).ok().flatten().unwrap_or(0);
        let (live, data, delta) = (get_oid(10)?, get_oid(11)?, get_oid(12)?);
        let (segments, segment_literals, schema) = segments_and_schema(data);
        let storage = Storage {
            ext: match schema {
                Some(schema) => schema,
                None => extension_schema().ok_or_else(|| missing("extension schema"))?,
            },
            live: relation_name(live).unwrap_or_default(),
            data: relation_name(data).unwrap_or_default(),
            delta: relation_name(delta).unwrap_or_default(),
            segments,
            segment_literals,
        };
        Ok(Config {
            oid,
            source: get_oid(1)?,
            source_name: text(2).unwrap_or_default(),
            attnums: row.get::<Vec<i16>>(7).ok().flatten().unwrap_or_default(),
            names,
            bucket: (interval.months(), interval.days(), interval.micros()),
            bucket_text: text(14).unwrap_or_default(),
            time_zone: text(9),
            live,
            data,
            delta,
            format,
            storage,
            owners: [
                relation_owner(oid).unwrap_or(pg_sys::InvalidOid),
                relation_owner(data).unwrap_or(pg_sys::InvalidOid),
                relation_owner(delta).unwrap_or(pg_sys::InvalidOid),
            ],
        })
    })
}

/// A relation's name, schema-qualified and quoted: usable in SQL under any search_path.
pub fn relation_text(oid: pg_sys::Oid) -> String {
    relation_name(oid).unwrap_or_else(|| format!("(dropped relation {})", oid.to_u32()))
}

// The catalog lookups below go through the syscache, not queries (but for the rare cases of a
// partition and of live data gone): a session's first write loads its live summary with them,
// and a query planned in a new session costs a tenth of a millisecond or more, which clients
// that connect for each write pay each time.

/// A relation's name, schema-qualified and quoted (None: no such relation).
fn relation_name(oid: pg_sys::Oid) -> Option<String> {
    unsafe {
        let name = pg_sys::get_rel_name(oid);
        if name.is_null() {
            return None;
        }
        let schema = pg_sys::get_namespace_name(pg_sys::get_rel_namespace(oid));
        if schema.is_null() {
            return None;
        }
        let text = pg_sys::quote_qualified_identifier(schema, name);
        Some(CStr::from_ptr(text).to_string_lossy().into_owned())
    }
}

/// A relation's owner (None: no such relation).
pub fn relation_owner(oid: pg_sys::Oid) -> Option<pg_sys::Oid> {
    unsafe {
        let tuple = pg_sys::SearchSysCache1(
            pg_sys::SysCacheIdentifier::RELOID as i32,
            pg_sys::Datum::from(oid),
        );
        if tuple.is_null() {
            return None;
        }
        let owner = (*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_class>(tuple)).relowner;
        pg_sys::ReleaseSysCache(tuple);
        Some(owner)
    }
}

/// A column of the live data, as the catalog has it.
struct DataColumn {
    name: CString,
    typid: pg_sys::Oid,
    collation: pg_sys::Oid,
}

/// The columns of the live data (none when it is gone): bucket, segments, summary.
fn data_columns(data: pg_sys::Oid) -> Vec<DataColumn> {
    let mut columns = Vec::new();
    for attnum in 1.. {
        // SAFETY: a syscache lookup, released before the next
        unsafe {
            let tuple = pg_sys::SearchSysCache2(
                pg_sys::SysCacheIdentifier::ATTNUM as i32,
                pg_sys::Datum::from(data),
                pg_sys::Datum::from(attnum as i16),
            );
            if tuple.is_null() {
                break;
            }
            let attribute = &*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_attribute>(tuple);
            if !attribute.attisdropped {
                columns.push(DataColumn {
                    name: CStr::from_ptr(attribute.attname.data.as_ptr()).to_owned(),
                    typid: attribute.atttypid,
                    collation: attribute.attcollation,
                });
            }
            pg_sys::ReleaseSysCache(tuple);
        }
    }
    columns
}

/// The live data's columns but the summary.
fn key_columns(columns: &[DataColumn]) -> impl Iterator<Item = &DataColumn> {
    columns.iter().filter(|c| c.name.as_bytes() != b"summary")
}

/// The segments of the live data, quoted as identifiers and as literals; the schema of its
/// summary's type (the extension's), quoted.
fn segments_and_schema(data: pg_sys::Oid) -> (Vec<String>, Vec<String>, Option<String>) {
    let columns = data_columns(data);
    let segments = || key_columns(&columns).skip(1).map(|c| &c.name);
    let identifiers = segments().map(|n| quote(&n.to_string_lossy())).collect();
    let literals = segments()
        .map(|n| {
            // SAFETY: quoting a C string into a new one
            unsafe { CStr::from_ptr(pg_sys::quote_literal_cstr(n.as_ptr())) }
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let schema = columns
        .iter()
        .find(|c| c.name.as_bytes() == b"summary")
        .and_then(|c| {
            // SAFETY: catalog lookups; NULL when the schema is gone
            let name = unsafe { pg_sys::get_namespace_name(type_namespace(c.typid)) };
            (!name.is_null()).then(|| quote(&unsafe { CStr::from_ptr(name) }.to_string_lossy()))
        });
    (identifiers, literals, schema)
}

/// The schema of a type.
fn type_namespace(typid: pg_sys::Oid) -> pg_sys::Oid {
    // SAFETY: a syscache lookup, released at once
    unsafe {
        let tuple = pg_sys::SearchSysCache1(
            pg_sys::SysCacheIdentifier::TYPEOID as i32,
            pg_sys::Datum::from(typid),
        );
        if tuple.is_null() {
            return pg_sys::InvalidOid;
        }
        let namespace =
            (*pg_sys::heap_tuple_get_struct::<pg_sys::FormData_pg_type>(tuple)).typnamespace;
        pg_sys::ReleaseSysCache(tuple);
        namespace
    }
}

/// The extension's schema, quoted (read_config asks only when the live data that would say it is
/// gone).
pub fn extension_schema() -> Option<String> {
    Spi::get_one::<String>(
        "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'nps_ext'",
    )
    .ok()
    .flatten()
}

/// The root of a relation's partition tree (itself when it is not a partition), and its owner.
pub fn root_and_owner(relation: pg_sys::Oid) -> (pg_sys::Oid, pg_sys::Oid) {
    let root = if unsafe { pg_sys::get_rel_relispartition(relation) } {
        Spi::get_one_with_args::<pg_sys::Oid>(
            "SELECT pg_catalog.pg_partition_root($1)::pg_catalog.oid",
            &[unsafe { pgrx::datum::DatumWithOid::new(relation, pg_sys::REGCLASSOID) }],
        )
        .ok()
        .flatten()
    } else {
        Some(relation)
    };
    match root.and_then(|root| Some((root, relation_owner(root)?))) {
        Some(found) => found,
        None => error!("relation {} not found", relation.to_u32()),
    }
}

fn c_name(name: &str) -> CString {
    CString::new(name).unwrap_or_else(|_| error!("a name contains a NUL byte"))
}

fn attname(relation: pg_sys::Oid, attnum: i16) -> Option<String> {
    unsafe {
        let name = pg_sys::get_attname(relation, attnum, true);
        if name.is_null() {
            return None;
        }
        let name = CStr::from_ptr(name).to_string_lossy().into_owned();
        // a dropped column keeps a placeholder name that no longer finds it
        (pg_sys::get_attnum(relation, c_name(&name).as_ptr()) == attnum).then_some(name)
    }
}

/// The column `name` of the root, or the one numbered `attnum` when no column has that name
/// any more (renamed); its current name and number.
pub fn root_column(root: pg_sys::Oid, name: &str, attnum: i16) -> Option<(String, i16)> {
    let by_name = unsafe { pg_sys::get_attnum(root, c_name(name).as_ptr()) };
    if by_name > 0 {
        return Some((name.to_string(), by_name));
    }
    attname(root, attnum)
        .filter(|_| attnum > 0)
        .map(|n| (n, attnum))
}

/// The column of `relation` called `name`, with its types.
pub fn column(relation: pg_sys::Oid, name: &str) -> Result<Column, String> {
    unsafe {
        let attnum = pg_sys::get_attnum(relation, c_name(name).as_ptr());
        if attnum <= 0 {
            return Err(format!("column {name} is missing"));
        }
        if pg_sys::get_attgenerated(relation, attnum) as u8 == b'v' {
            return Err(format!("column {name} is a virtual generated column"));
        }
        let (mut typid, mut typmod, mut collation) = (pg_sys::InvalidOid, 0, pg_sys::InvalidOid);
        pg_sys::get_atttypetypmodcoll(relation, attnum, &mut typid, &mut typmod, &mut collation);
        let (mut typlen, mut typbyval, mut align) = (0i16, false, 0 as std::ffi::c_char);
        pg_sys::get_typlenbyvalalign(typid, &mut typlen, &mut typbyval, &mut align);
        Ok(Column {
            attnum,
            typid,
            base: pg_sys::getBaseType(typid),
            typlen,
            typbyval,
            typalign: align,
        })
    }
}

const SCORE_TYPES: [pg_sys::Oid; 6] = [
    pg_sys::INT2OID,
    pg_sys::INT4OID,
    pg_sys::INT8OID,
    pg_sys::NUMERICOID,
    pg_sys::FLOAT4OID,
    pg_sys::FLOAT8OID,
];
const WEIGHT_TYPES: [pg_sys::Oid; 6] = [
    pg_sys::INT2OID,
    pg_sys::INT4OID,
    pg_sys::INT8OID,
    pg_sys::FLOAT4OID,
    pg_sys::FLOAT8OID,
    pg_sys::NUMERICOID,
];

/// Whether a score column's base type is one live summaries read.
pub fn score_type_ok(base: pg_sys::Oid) -> bool {
    SCORE_TYPES.contains(&base)
}

pub fn weight_type_ok(base: pg_sys::Oid) -> bool {
    WEIGHT_TYPES.contains(&base)
}

/// An identifier quoted where SQL needs it.
pub fn quote(name: &str) -> String {
    let c = c_name(name);
    // quote_identifier returns its argument itself when no quotes are needed: c must outlive it
    unsafe {
        CStr::from_ptr(pg_sys::quote_identifier(c.as_ptr()))
            .to_string_lossy()
            .into_owned()
    }
}

/// The configuration table a trigger's argument names: by that name, or, when the schema was
/// renamed since, by the same table name in the schema the source `root` is in now (a live
/// summary's tables are made in its source's schema; whose the table is is checked after).
pub fn config_named(argument: &str, root: pg_sys::Oid) -> Option<pg_sys::Oid> {
    Spi::get_one_with_args::<pg_sys::Oid>(
        "SELECT coalesce(pg_catalog.to_regclass($1), (
                SELECT c.oid FROM pg_catalog.pg_class c
                 WHERE c.relnamespace OPERATOR(pg_catalog.=) (SELECT s.relnamespace FROM pg_catalog.pg_class s WHERE s.oid OPERATOR(pg_catalog.=) $2)
                   AND c.relname OPERATOR(pg_catalog.=) (pg_catalog.parse_ident($1))[2]))::pg_catalog.oid",
        &[argument.into(), unsafe {
            pgrx::datum::DatumWithOid::new(root, pg_sys::OIDOID)
        }],
    )
    .ok()
    .flatten()
}

/// Find and check everything a trigger of `relation` with configuration table `config_name`
/// needs, as the owner of the relation's root. An Err says why this is no live summary's
/// trigger (or no longer works) and is a warning, never an error.
fn load(relation: pg_sys::Oid, config_name: &str) -> Result<Live, String> {
    let (root, owner) = root_and_owner(relation);
    let _owner = AsOwner::new(owner);
    let config_oid = config_named(config_name, root)
        .ok_or_else(|| format!("its configuration table {config_name} does not exist"))?;
    let config = read_config(config_oid)?;
    if config.format != FORMAT {
        return Err(format!(
            "{config_name} is of format {} (expected {FORMAT})",
            config.format
        ));
    }
    if config.source != root {
        return Err(format!(
            "{config_name} configures a live summary of another table ({})",
            config.source_name
        ));
    }
    if config.owners.iter().any(|&o| o != owner) {
        return Err(format!(
            "{config_name} or its live data do not belong to the owner of {}",
            relation_text(root)
        ));
    }
    resolve(&config, relation, root, owner)
}

/// The configuration's columns found in `relation` (the root or one of its partitions).
pub fn resolve(
    config: &Config,
    relation: pg_sys::Oid,
    root: pg_sys::Oid,
    owner: pg_sys::Oid,
) -> Result<Live, String> {
    let mut renamed = false;
    let mut columns = Vec::new();
    for (i, name) in config.names.iter().enumerate() {
        let Some(name) = name else {
            columns.push(None);
            continue;
        };
        let attnum = config.attnums.get(i).copied().unwrap_or(0);
        let (current, _) = root_column(root, name, attnum)
            .ok_or_else(|| format!("column {name} of {} no longer exists", config.source_name))?;
        renamed |= &current != name;
        columns.push(Some(
            column(relation, &current)
                .map_err(|e| format!("{e} in {}", relation_text(relation)))?,
        ));
    }
    // the source renamed since (the configuration names it to recognise what a dropped one left)
    renamed |= config.source_name != relation_text(root);
    let [Some(score), Some(time), weight, segments @ ..] = columns.as_slice() else {
        return Err("its configuration lacks the score or time column".into());
    };
    if !score_type_ok(score.base) {
        return Err("its score column is no longer of a number type".into());
    }
    let kind =
        TimeKind::of_type(time.base).ok_or("its time column is no longer a date or timestamp")?;
    if weight.is_some_and(|w| !weight_type_ok(w.base)) {
        return Err("its weight column is no longer of a number type".into());
    }
    let segments: Vec<Column> = segments
        .iter()
        .map(|c| c.expect("segments are never NULL"))
        .collect();
    // the live data's key columns must still be of the source's types
    let data = data_columns(config.data);
    let data_types: Vec<pg_sys::Oid> = data.iter().map(|c| c.typid).collect();
    let expected: Vec<pg_sys::Oid> = std::iter::once(time.base)
        .chain(segments.iter().map(|s| s.typid))
        .chain(std::iter::once(
            data_types.last().copied().unwrap_or(pg_sys::InvalidOid),
        ))
        .collect();
    if data_types != expected {
        return Err(format!(
            "the types of {} no longer match its source's columns",
            config.storage.data
        ));
    }
    let summary_type = data_types.last().copied().unwrap_or(pg_sys::InvalidOid);
    let exact_keys = keys_equal_by_image(&data);
    let row_type = unsafe { pg_sys::get_rel_type_id(config.data) };
    let own_index = unsafe { with_delta(config.delta, |delta| delta_layout(delta, row_type)) }
        .ok_or_else(|| format!("{} cannot be read", config.storage.delta))?
        .map_err(|_| {
            format!(
                "the columns of {} are not those of its live data",
                config.storage.delta
            )
        })?;
    let (months, days, micros) = config.bucket;
    let width = Width::from_interval(months, days, micros, kind == TimeKind::Date)
        .map_err(|_| format!("its bucket {} is not a bucket", config.bucket_text))?;
    let zone = match (&config.time_zone, kind) {
        (Some(z), TimeKind::Timestamptz) => live_bucket::zone(z),
        (None, TimeKind::Timestamptz) => return Err("its configuration lacks the time zone".into()),
        _ => std::ptr::null_mut(),
    };
    let name_of = |c: &Column| quote(&attname(relation, c.attnum).unwrap_or_default());
    let source = Source {
        relation: format!("ONLY {}", relation_text(relation)),
        time: name_of(time),
        score: name_of(score),
        weight: weight.as_ref().map(name_of),
        segments: segments.iter().map(name_of).collect(),
        bucket_args: bucket_args(&config.bucket_text, config.time_zone.as_deref()),
    };
    let memory = KeptMemory::new();
    // SAFETY: data's row type, looked up and copied into memory of this Live's own
    let row_descriptor = unsafe {
        let found = pg_sys::lookup_rowtype_tupdesc(row_type, -1);
        let copy = memory.within(|| pg_sys::CreateTupleDescCopy(found));
        pg_sys::DecrTupleDescRefCount(found);
        copy
    };
    Ok(Live {
        relation,
        root,
        owner,
        config: config.oid,
        config_name: relation_text(config.oid),
        row_descriptor,
        delta_index_info: std::ptr::null_mut(),
        memory,
        spare: Default::default(),
        recheck: false,
        delta: config.delta,
        data: config.data,
        summary_type,
        row_type,
        plain_delta: own_index.is_some(),
        exact_keys,
        delta_index: own_index.unwrap_or(pg_sys::InvalidOid),
        score: *score,
        time: *time,
        weight: *weight,
        segments,
        kind,
        // SAFETY: the zone is NULL or live_bucket::zone's
        bucketer: unsafe { live_bucket::Bucketer::new(width, kind, zone) },
        storage: config.storage.clone(),
        source,
        renamed,
        tried: None,
        take_plan: None,
        gate_plan: None,
    })
}

/// Whether every key column of `data` (bucket and segments) compares equal exactly when the
/// bytes of the values are identical, as btree deduplication asks of a type's operator class
/// (its equalimage function, PostgreSQL 13+): integers, dates, text in a deterministic
/// collation do; numeric (1.0 = 1.00), floats (0 = -0), arrays and records don't.
fn keys_equal_by_image(data: &[DataColumn]) -> bool {
    const BTEQUALIMAGE_PROC: i16 = 4; // access/nbtree.h
    key_columns(data)
        .map(|c| (c.typid, c.collation))
        .all(|(typid, collation)| unsafe {
            let base = pg_sys::getBaseType(typid);
            let opclass = pg_sys::GetDefaultOpClass(base, pg_sys::BTREE_AM_OID);
            if opclass == pg_sys::InvalidOid {
                return false;
            }
            let input = pg_sys::get_opclass_input_type(opclass);
            let proc = pg_sys::get_opfamily_proc(
                pg_sys::get_opclass_family(opclass),
                input,
                input,
                BTEQUALIMAGE_PROC,
            );
            proc != pg_sys::InvalidOid
                && pg_sys::OidFunctionCall1Coll(proc, collation, pg_sys::Datum::from(input)).value()
                    != 0
        })
}

/// A string constant, read the same whatever the session's standard_conforming_strings: with
/// backslashes it is an escape string, as `quote_literal` writes it.
pub fn literal(text: &str) -> String {
    let quoted = text.replace('\'', "''");
    if text.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// The arguments after the time of `nps_live_bucket` for this bucket (and zone).
pub fn bucket_args(bucket: &str, zone: Option<&str>) -> String {
    match zone {
        Some(z) => format!(
            "{}::pg_catalog.interval, {}::pg_catalog.text",
            literal(bucket),
            literal(z)
        ),
        None => format!("{}::pg_catalog.interval", literal(bucket)),
    }
}

thread_local! {
    /// Per trigger OID and argument (a table's triggers name each of its live summaries in an
    /// argument of their own): the live summary, or why there is none.
    static CACHE: RefCell<HashMap<(pg_sys::Oid, usize), Result<Box<Live>, String>>> = RefCell::new(HashMap::new());
    static REGISTERED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The last relations PostgreSQL said changed (InvalidOid: all), numbered, for the entries
    /// taken out of the cache to be used (calls may nest: a trigger of a table a fold writes).
    static SEEN: RefCell<std::collections::VecDeque<(u64, pg_sys::Oid)>> =
        const { RefCell::new(std::collections::VecDeque::new()) };
    static INVALIDATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many of the last invalidations are remembered for the entries in use.
const SEEN_AT_MOST: usize = 64;

/// Whether an entry stays after PostgreSQL said `relid` changed. A change of the source or of
/// the configuration means finding everything again; of data, delta or delta's index, which
/// VACUUM and ANALYZE announce every few minutes (new statistics), a look at whether what
/// was found of them still holds, first (`still_valid`).
fn survives(entry: &mut Result<Box<Live>, String>, relid: pg_sys::Oid) -> bool {
    let Ok(live) = entry else {
        return false;
    };
    if relid == pg_sys::InvalidOid || [live.relation, live.root, live.config].contains(&relid) {
        return false;
    }
    if [live.data, live.delta, live.delta_index].contains(&relid) {
        live.recheck = true;
    }
    true
}

/// Note what PostgreSQL says changed, for the entries kept and the one in use.
#[pg_guard]
unsafe extern "C-unwind" fn invalidate(_arg: pg_sys::Datum, relid: pg_sys::Oid) {
    let n = INVALIDATIONS.get() + 1;
    INVALIDATIONS.set(n);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        seen.push_back((n, relid));
        if seen.len() > SEEN_AT_MOST {
            seen.pop_front();
        }
    });
    CACHE.with(|cache| cache.borrow_mut().retain(|_, entry| survives(entry, relid)));
}

/// Whether an entry taken out of the cache stays after what was invalidated since the
/// `since`th invalidation (not when some of those are forgotten already).
fn survives_since(entry: &mut Result<Box<Live>, String>, since: u64) -> bool {
    let seen: Option<Vec<pg_sys::Oid>> = SEEN.with(|seen| {
        let seen = seen.borrow();
        let oldest = seen.front().map_or(u64::MAX, |&(n, _)| n);
        let forgotten = INVALIDATIONS.get() > since && oldest > since + 1;
        (!forgotten).then(|| {
            seen.iter()
                .filter(|&&(n, _)| n > since)
                .map(|&(_, relid)| relid)
                .collect()
        })
    });
    seen.is_some_and(|seen| seen.into_iter().all(|relid| survives(entry, relid)))
}

/// After data, delta or delta's index were invalidated: whether data's columns and delta's
/// layout are as they were found, read from the relation cache (a few microseconds, where
/// finding everything again takes milliseconds).
fn still_valid(live: &Live) -> bool {
    let checked = crate::live_trigger::in_subtransaction(|| unsafe {
        let data = pg_sys::try_relation_open(live.data, pg_sys::AccessShareLock as i32);
        if data.is_null() {
            return false;
        }
        let same = same_columns((*data).rd_att, live.row_descriptor);
        pg_sys::relation_close(data, pg_sys::NoLock as i32);
        let own_index = live.plain_delta.then_some(live.delta_index);
        same && with_delta(live.delta, |delta| delta_layout(delta, live.row_type))
            == Some(Ok(own_index))
    });
    checked.unwrap_or(false)
}

/// Whether two descriptors have the same columns, of the same types, as far as forming rows
/// of them goes.
unsafe fn same_columns(a: pg_sys::TupleDesc, b: pg_sys::TupleDesc) -> bool {
    let column = |x: &pg_sys::FormData_pg_attribute| {
        (x.atttypid, x.atttypmod, x.attcollation, x.attisdropped)
    };
    // SAFETY: valid descriptors, neither released here
    let (a, b) = unsafe {
        (
            pgrx::PgTupleDesc::from_pg_unchecked(a),
            pgrx::PgTupleDesc::from_pg_unchecked(b),
        )
    };
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| column(x) == column(y))
}

/// `f` of delta, opened as a writer opens it; None when it is gone.
unsafe fn with_delta<T>(delta: pg_sys::Oid, f: impl FnOnce(pg_sys::Relation) -> T) -> Option<T> {
    unsafe {
        let relation = pg_sys::try_relation_open(delta, pg_sys::RowExclusiveLock as i32);
        if relation.is_null() {
            return None;
        }
        let result = f(relation);
        pg_sys::relation_close(relation, pg_sys::NoLock as i32);
        Some(result)
    }
}

/// Delta's layout, from the relation cache: Err when its columns are not two arrays of the
/// rows of data's type (`row_type`) and a bigint; else its own index, on nps_live_writer alone,
/// when that is its only index and it has no trigger, rule or row security, so that rows go
/// straight into its heap and that index (None: through the executor).
unsafe fn delta_layout(
    delta: pg_sys::Relation,
    row_type: pg_sys::Oid,
) -> Result<Option<pg_sys::Oid>, ()> {
    unsafe {
        let rel = &*delta;
        let class = &*rel.rd_rel;
        let columns = pgrx::PgTupleDesc::from_pg_unchecked(rel.rd_att);
        let columns: Vec<&pg_sys::FormData_pg_attribute> =
            columns.iter().filter(|a| !a.attisdropped).collect();
        let rows = pg_sys::get_array_type(row_type);
        let types: Vec<pg_sys::Oid> = columns.iter().map(|a| a.atttypid).collect();
        if class.relkind != pg_sys::RELKIND_RELATION as std::ffi::c_char
            || types != [rows, rows, pg_sys::INT8OID]
        {
            return Err(());
        }
        if class.relhastriggers || class.relhasrules || class.relrowsecurity {
            return Ok(None);
        }
        let indexes = pg_sys::RelationGetIndexList(delta);
        let only = (!indexes.is_null() && (*indexes).length == 1)
            .then(|| pg_sys::list_nth_oid(indexes, 0));
        pg_sys::list_free(indexes);
        let Some(index) = only else {
            return Ok(None);
        };
        let relation = pg_sys::index_open(index, pg_sys::RowExclusiveLock as i32);
        let form = &*(*relation).rd_index;
        let writer = columns[2].attnum;
        let own = form.indnatts == 1
            && *form.indkey.values.as_ptr() == writer
            && pg_sys::RelationGetIndexExpressions(relation).is_null()
            && pg_sys::RelationGetIndexPredicate(relation).is_null();
        pg_sys::index_close(relation, pg_sys::NoLock as i32);
        Ok(own.then_some(index))
    }
}

/// Run `f` with the live summary configured by `config_name`, argument number `argument` of
/// trigger `trigger`, firing on `relation`.
pub fn with_live<R>(
    trigger: pg_sys::Oid,
    argument: usize,
    relation: pg_sys::Oid,
    config_name: &CStr,
    f: impl FnOnce(Result<&mut Live, &str>) -> R,
) -> R {
    if !REGISTERED.get() {
        unsafe { pg_sys::CacheRegisterRelcacheCallback(Some(invalidate), pg_sys::Datum::from(0)) };
        REGISTERED.set(true);
    }
    // taken out while in use, so that an invalidation meanwhile cannot free it under us
    let key = (trigger, argument);
    let mut entry = CACHE.with(|cache| cache.borrow_mut().remove(&key));
    let mut since = INVALIDATIONS.get();
    if let Some(Ok(live)) = &mut entry {
        if live.recheck {
            live.recheck = false;
            if !still_valid(live) {
                entry = None;
            }
        }
    }
    if let Some(e) = &mut entry {
        if !survives_since(e, since) {
            entry = None;
        }
    }
    since = INVALIDATIONS.get();
    let mut entry = entry.unwrap_or_else(|| {
        // in a subtransaction: whatever PostgreSQL refuses while looking (a configuration this
        // role may not read: someone else's) is a reason not to act, never the writer's error
        let config_name = config_name.to_string_lossy();
        let loaded = crate::live_trigger::in_subtransaction(|| load(relation, &config_name))
            .map_err(|(_, message)| message)
            .and_then(|l| l.map(Box::new));
        since = INVALIDATIONS.get();
        loaded
    });
    let result = f(entry.as_deref_mut().map_err(|e| e.as_str()));
    if survives_since(&mut entry, since) {
        CACHE.with(|cache| cache.borrow_mut().insert(key, entry));
    }
    result
}

/// Forget everything (a live summary was created, changed or dropped in this backend).
pub fn forget_all() {
    CACHE.with(|cache| cache.borrow_mut().clear());
}
