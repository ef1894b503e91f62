//! Changes to a live summary, per key (bucket and segments): what a writer's statement
//! collects from its rows (appended as a delta row: `arrays`), and what a fold collects from
//! the pending delta rows (merged into data: `keyed_arrays`).

use crate::live_config::{Column, Live};
use crate::live_keys::{self, KeyBytes, KeyIndex};
use crate::score::{Answer, AnswerError};
use crate::summary::NpsSummary;
use crate::weights::{check_weight, Summary};
use pgrx::prelude::*;
use pgrx::{FromDatum, IntoDatum};
use std::ffi::CStr;

/// The changes of one key (bucket and segments): its bytes first, then the answers in and out,
/// so that finding it and adding to it read neighbouring memory.
#[repr(C)]
pub struct Change {
    key: KeyBytes,
    plus: Side,
    minus: Side,
    bucket: Option<pg_sys::Datum>,
    segments: Vec<Option<pg_sys::Datum>>,
}

impl Change {
    /// The answers in (`sign` 1) or out (-1).
    fn side(&mut self, sign: i8) -> &mut Side {
        if sign > 0 {
            &mut self.plus
        } else {
            &mut self.minus
        }
    }
}

/// The answers in or the answers out of a key: a Summary kept small, its rarely present
/// weights boxed (live_keys.rs says why size matters here).
#[derive(Default, PartialEq)]
#[repr(C)]
struct Side {
    tally: crate::tally::Tally,
    weights: Option<Box<crate::weights::Weights>>,
}

impl Side {
    fn summary(&self) -> Summary {
        Summary {
            tally: self.tally,
            weights: self.weights.as_deref().copied(),
        }
    }

    fn is_empty(&self) -> bool {
        self.summary().is_empty()
    }

    /// Change the summary with `f`, in a copy of it.
    fn update<T>(&mut self, f: impl FnOnce(&mut Summary) -> T) -> T {
        let mut s = self.summary();
        let result = f(&mut s);
        self.tally = s.tally;
        match (s.weights, &mut self.weights) {
            (None, w) => *w = None,
            (Some(n), Some(w)) => **w = n,
            (Some(n), w) => *w = Some(Box::new(n)),
        }
        result
    }
}

/// Changes by key. Keys compare by the bytes of their values, so two values
/// PostgreSQL deems equal but spells differently (numeric 1.0 and 1.00) may stay two keys
/// here; the fold and the view group them as GROUP BY does.
pub struct Changes {
    index: KeyIndex,
    pub list: Vec<Change>,
    /// how many keys are gathered at most (KEYS_AT_ONCE or FOLD_KEYS_AT_ONCE)
    keys_at_once: usize,
    /// where the keys' values are copied: the context current when these changes began
    context: pg_sys::MemoryContext,
    /// a row's key and segment values, reused from row to row
    key: Vec<u8>,
    segments: Vec<Option<pg_sys::Datum>>,
    /// pending parts' fields and keys, reused from array to array
    fields: Vec<pg_sys::Datum>,
    nulls: Vec<bool>,
    part_keys: Vec<u8>,
}

/// How many keys a statement gathers before it appends them as a delta row and starts again:
/// what bounds its memory (some 30 MB), however many keys it touches.
pub const KEYS_AT_ONCE: usize = 50_000;
/// How many keys a fold gathers before it merges them into data and starts again: what bounds
/// its memory (some 120 MB), however large the backlog. More than a statement's: a key met
/// again after a merge is updated again, and a second of writes spread over three years of
/// 50 segments already touches 54,800 keys.
pub const FOLD_KEYS_AT_ONCE: usize = 4 * KEYS_AT_ONCE;

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
    let word = (value.value() as u64).to_le_bytes();
    let bytes: &[u8] = unsafe {
        match (col.typbyval, col.typlen) {
            // a value passed by value: its own bytes, whatever the Datum's other bytes hold
            (true, n) => &word[..(n as usize).clamp(1, 8)],
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

impl Default for Changes {
    fn default() -> Changes {
        Changes::new()
    }
}

impl Changes {
    /// The changes of a statement.
    pub fn new() -> Changes {
        Changes::gathering(KEYS_AT_ONCE)
    }

    /// The changes a fold gathers.
    pub fn for_fold() -> Changes {
        Changes::gathering(FOLD_KEYS_AT_ONCE)
    }

    fn gathering(keys_at_once: usize) -> Changes {
        Changes {
            index: KeyIndex::default(),
            list: Vec::new(),
            keys_at_once,
            context: unsafe { pg_sys::CurrentMemoryContext },
            key: Vec::new(),
            segments: Vec::new(),
            fields: Vec::new(),
            nulls: Vec::new(),
            part_keys: Vec::new(),
        }
    }

    /// These changes, emptied, to gather a new statement's, whose keys' values are copied
    /// into the current memory context.
    pub fn begin(&mut self) {
        self.context = unsafe { pg_sys::CurrentMemoryContext };
        self.list.clear();
        self.index.clear();
    }

    /// Whether these changes are small enough to keep their room for the next statement.
    pub fn worth_keeping(&self) -> bool {
        self.index.slots() <= 64
    }

    /// Make room in the index for `keys` keys (at most as many as are gathered at once).
    pub fn reserve(&mut self, keys: usize) {
        self.index.reserve(keys.min(self.keys_at_once));
    }

    /// Whether as many keys are gathered as should be at once.
    pub fn full(&self) -> bool {
        self.list.len() >= self.keys_at_once
    }

    /// The change of a key, empty at first: `self.segments` holds the key's segment values.
    unsafe fn entry(&mut self, live: &Live, bucket: Option<pg_sys::Datum>) -> &mut Change {
        unsafe {
            self.set_key(live, bucket);
            let key = std::mem::take(&mut self.key);
            let at = self.position(live, &key, live_keys::hash(&key), bucket);
            self.key = key;
            &mut self.list[at]
        }
    }

    /// `self.key`: the bytes of the key of `bucket` and `self.segments`.
    unsafe fn set_key(&mut self, live: &Live, bucket: Option<pg_sys::Datum>) {
        self.key.clear();
        self.key
            .extend_from_slice(&bucket.map_or(u64::MAX, |b| b.value() as u64).to_ne_bytes());
        self.key.push(u8::from(bucket.is_some()));
        for (c, &v) in live.segments.iter().zip(&self.segments) {
            unsafe { key_bytes(&mut self.key, v, c) };
        }
    }

    /// Where the change of key `key` (of hash `hash`; `bucket` and `self.segments`) is in
    /// the list, added empty when new. A new key's values are copied: they outlive their row
    /// (and, in a fold, the batch of pending rows they came in).
    unsafe fn position(
        &mut self,
        live: &Live,
        key: &[u8],
        hash: u64,
        bucket: Option<pg_sys::Datum>,
    ) -> usize {
        let list = &self.list;
        if let Some(at) = self.index.find(hash, |at| list[at].key.bytes() == key) {
            return at;
        }
        let at = self.index.push(hash);
        unsafe {
            let caller = pg_sys::MemoryContextSwitchTo(self.context);
            let segments = live
                .segments
                .iter()
                .zip(&self.segments)
                .map(|(c, v)| v.map(|v| copied(v, c)))
                .collect();
            pg_sys::MemoryContextSwitchTo(caller);
            self.list.push(Change {
                key: KeyBytes::new(key),
                plus: Side::default(),
                minus: Side::default(),
                bucket,
                segments,
            });
        }
        at
    }

    /// `self.segments`: the segment values of a part's fields (`f`, NULL where `m`).
    fn set_segments(&mut self, f: &[pg_sys::Datum], m: &[bool]) {
        self.segments.clear();
        self.segments
            .extend((1..f.len() - 1).map(|j| (!m[j]).then_some(f[j])));
    }

    /// Add the parts of a pending change: composites of data's row type (`descriptor`), each a
    /// key and a summary, that came in (`sign` 1) or went out (-1). First the keys of all of
    /// them, asking the processor to fetch the changes they most likely add to; then the
    /// adding, which finds those changes in its cache instead of waiting for each in turn.
    ///
    /// # Safety
    /// `descriptor` describes the composite Datums given, in a backend.
    pub unsafe fn add_parts(
        &mut self,
        live: &Live,
        descriptor: pg_sys::TupleDesc,
        parts: &[pg_sys::Datum],
        sign: i8,
    ) {
        unsafe {
            let n = live.segments.len() + 2;
            let mut fields = std::mem::take(&mut self.fields);
            let mut nulls = std::mem::take(&mut self.nulls);
            let mut keys = std::mem::take(&mut self.part_keys);
            fields.clear();
            fields.resize(n * parts.len(), pg_sys::Datum::from(0));
            nulls.clear();
            nulls.resize(n * parts.len(), true);
            keys.clear();
            let mut found = Vec::with_capacity(parts.len());
            for (i, &part) in parts.iter().enumerate() {
                let header =
                    pg_sys::pg_detoast_datum(part.cast_mut_ptr()) as pg_sys::HeapTupleHeader;
                let mut tuple = pg_sys::HeapTupleData {
                    t_len: pgrx::varsize_any(header.cast()) as u32,
                    t_data: header,
                    ..Default::default()
                };
                let (f, m) = (
                    &mut fields[n * i..n * (i + 1)],
                    &mut nulls[n * i..n * (i + 1)],
                );
                pg_sys::heap_deform_tuple(&mut tuple, descriptor, f.as_mut_ptr(), m.as_mut_ptr());
                self.set_segments(f, m);
                self.set_key(live, (!m[0]).then_some(f[0]));
                let hash = live_keys::hash(&self.key);
                let start = keys.len();
                keys.extend_from_slice(&self.key);
                found.push((start..keys.len(), hash));
                self.index.prefetch(hash);
            }
            for &(_, hash) in &found {
                if let Some(at) = self.index.likely(hash) {
                    let change = &mut self.list[at];
                    live_keys::prefetch(change);
                    let side = change.side(sign) as *const Side as *const u8;
                    for offset in [0, 64, std::mem::size_of::<Side>() - 1] {
                        live_keys::prefetch(side.add(offset));
                    }
                }
            }
            for (i, (key, hash)) in found.into_iter().enumerate() {
                let (f, m) = (&fields[n * i..n * (i + 1)], &nulls[n * i..n * (i + 1)]);
                let Some(summary) = NpsSummary::from_datum(f[n - 1], m[n - 1]) else {
                    continue;
                };
                self.set_segments(f, m);
                let at = self.position(live, &keys[key], hash, (!m[0]).then_some(f[0]));
                self.list[at]
                    .side(sign)
                    .update(|s| s.merge(&summary.0))
                    .unwrap_or_else(|e| crate::summary::combine_error(e));
            }
            self.fields = fields;
            self.nulls = nulls;
            self.part_keys = keys;
        }
    }

    /// Add the row in `slot` to the summary (`sign` 1, new rows) or take it out (-1, old rows).
    /// A new row's bad answer or weight is the error nps_agg gives; an old row's was never
    /// summarized (it could not have been) and is passed over.
    ///
    /// # Safety
    /// `slot` is a valid slot of `live`'s relation, deformed up to `live.last_attnum()`.
    pub unsafe fn add_row(&mut self, live: &mut Live, slot: *mut pg_sys::TupleTableSlot, sign: i8) {
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
            self.segments.clear();
            self.segments.extend(live.segments.iter().map(get));
            let part = self.entry(live, bucket).side(sign);
            match weight {
                None => part.tally.add(answer),
                Some(w) => part
                    .update(|s| s.add_weighted(answer, w))
                    .unwrap_or_else(|e| crate::summary::combine_error(e)),
            }
        }
    }

    /// Drop what a statement took out and put back (an UPDATE of other columns, or of a score
    /// to itself): counts cancel answer by answer; weighted parts only when identical.
    pub fn cancel(&mut self) {
        for c in &mut self.list {
            if c.plus.is_empty() || c.minus.is_empty() {
                continue;
            }
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
                c.plus = Side::default();
                c.minus = Side::default();
            }
        }
        self.list
            .retain(|c| !c.plus.is_empty() || !c.minus.is_empty());
        self.index.clear(); // its positions are stale now
    }

    /// The changes as two arrays of rows of data's type: per key, the answers in and the
    /// answers out (a key without one is left out of that array; no array, NULL, when no key
    /// has any: an INSERT takes nothing out). What a delta row holds.
    ///
    /// # Safety
    /// In a backend; the arrays live in the current memory context.
    pub unsafe fn arrays(&self, live: &Live) -> [Option<pg_sys::Datum>; 2] {
        let mut room = Default::default();
        [true, false].map(|plus| {
            let rows: Vec<Option<pg_sys::Datum>> = self
                .list
                .iter()
                .filter_map(|c| {
                    let part = if plus { &c.plus } else { &c.minus };
                    summary_datum(part).map(|s| {
                        Some(unsafe { data_row(live.row_descriptor, c, Some(s), &mut room) })
                    })
                })
                .collect();
            (!rows.is_empty()).then(|| unsafe {
                array(&rows, live.row_type, -1, false, b'd' as std::ffi::c_char)
            })
        })
    }

    /// Whether any answers went out.
    pub fn takes_out(&self) -> bool {
        self.list.iter().any(|c| !c.minus.is_empty())
    }

    /// The changes as an array of rows of data's type, one per key with the answers in (NULL
    /// when none), and an array of the summaries of the answers out, in the same order (NULL
    /// where none). What a fold merges into data.
    ///
    /// # Safety
    /// In a backend; the arrays live in the current memory context.
    pub unsafe fn keyed_arrays(&self, live: &Live) -> [pg_sys::Datum; 2] {
        unsafe {
            let mut room = Default::default();
            let rows: Vec<Option<pg_sys::Datum>> = self
                .list
                .iter()
                .map(|c| {
                    Some(data_row(
                        live.row_descriptor,
                        c,
                        summary_datum(&c.plus),
                        &mut room,
                    ))
                })
                .collect();
            let minus: Vec<Option<pg_sys::Datum>> =
                self.list.iter().map(|c| summary_datum(&c.minus)).collect();
            let (mut typlen, mut typbyval, mut typalign) = (0, false, 0);
            pg_sys::get_typlenbyvalalign(
                live.summary_type,
                &mut typlen,
                &mut typbyval,
                &mut typalign,
            );
            [
                array(&rows, live.row_type, -1, false, b'd' as std::ffi::c_char),
                array(&minus, live.summary_type, typlen, typbyval, typalign),
            ]
        }
    }
}

/// A row of data's type (`descriptor`): the key of `change` and `summary`. `fields` and
/// `nulls` are room reused from row to row.
unsafe fn data_row(
    descriptor: pg_sys::TupleDesc,
    change: &Change,
    summary: Option<pg_sys::Datum>,
    (fields, nulls): &mut (Vec<pg_sys::Datum>, Vec<bool>),
) -> pg_sys::Datum {
    fields.clear();
    nulls.clear();
    for v in std::iter::once(change.bucket)
        .chain(change.segments.iter().copied())
        .chain([summary])
    {
        fields.push(v.unwrap_or(pg_sys::Datum::from(0)));
        nulls.push(v.is_none());
    }
    unsafe {
        let tuple = pg_sys::heap_form_tuple(descriptor, fields.as_mut_ptr(), nulls.as_mut_ptr());
        // a composite Datum as it is, as HeapTupleGetDatum gives it: heap_form_tuple fills in
        // its length and type, and none of its values is a TOAST pointer (segments are copied
        // detoasted, summaries are made here)
        pg_sys::Datum::from((*tuple).t_data)
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

fn summary_datum(s: &Side) -> Option<pg_sys::Datum> {
    (!s.is_empty()).then(|| {
        crate::summary::NpsSummary(s.summary())
            .into_datum()
            .expect("a summary is never NULL")
    })
}
