//! Buckets in SQL: `nps_live_bucket(time, bucket [, time_zone])` gives the bucket a live
//! summary files an answer under. The triggers, the fill, `nps_live_summary_check` and
//! `nps_live_summary_refresh` all use this one implementation (the arithmetic is in
//! buckets.rs), and users can call it to line raw answers up with live data.
//!
//! A `timestamptz` is bucketed on the wall clock of a time zone: converted to local time, cut,
//! and the local start converted back, as `timezone(zone, ...)` both ways does.

use crate::buckets::{self, Width, WidthError, DAY};
use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;
use std::ffi::CString;

/// The type of a live summary's time column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeKind {
    Date,
    Timestamp,
    Timestamptz,
}

impl TimeKind {
    pub fn of_type(oid: pg_sys::Oid) -> Option<TimeKind> {
        match oid {
            pg_sys::DATEOID => Some(TimeKind::Date),
            pg_sys::TIMESTAMPOID => Some(TimeKind::Timestamp),
            pg_sys::TIMESTAMPTZOID => Some(TimeKind::Timestamptz),
            _ => None,
        }
    }

    pub fn sql_name(self) -> &'static str {
        match self {
            TimeKind::Date => "date",
            TimeKind::Timestamp => "timestamp without time zone",
            TimeKind::Timestamptz => "timestamp with time zone",
        }
    }
}

/// The bucket width of an interval, or an ERROR naming it.
pub fn width_of(interval: &pg_sys::Interval, kind: TimeKind, shown: &str) -> Width {
    Width::from_interval(interval.month, interval.day, interval.time, kind == TimeKind::Date)
        .unwrap_or_else(|e| {
            let (message, hint) = match e {
                WidthError::NotPositive => (format!("bucket {shown} is not a positive interval"), None),
                WidthError::MixesMonths => (
                    format!("bucket {shown} mixes months with days or time"),
                    Some("Use whole months ('1 month', '3 months', '1 year') or a fixed length ('1 day', '7 days', '1 hour')."),
                ),
                WidthError::NotWholeDays => (format!("bucket {shown} is not whole days or months, as a date column needs"), None),
            };
            match hint {
                Some(hint) => {
                    ereport!(ERROR, PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, message, hint);
                }
                None => {
                    ereport!(ERROR, PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, message);
                }
            }
        })
}

/// A time zone by name, as the TimeZone setting spells it, or an ERROR.
pub fn zone(name: &str) -> *mut pg_sys::pg_tz {
    let c = CString::new(name).unwrap_or_else(|_| error!("time zone name contains a NUL byte"));
    let tz = unsafe { pg_sys::pg_tzset(c.as_ptr()) };
    if tz.is_null() {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("time zone \"{name}\" is not recognized")
        );
    }
    tz
}

/// Files times under their buckets, remembering the last one (a statement's answers often
/// share a time, and always a few buckets).
pub struct Bucketer {
    width: Width,
    kind: TimeKind,
    zone: *mut pg_sys::pg_tz,
    /// The zone's offset from UTC in microseconds, when it never changes (UTC itself, say):
    /// then the wall clock is plain arithmetic.
    fixed_offset: Option<i64>,
    last: Option<(i64, i64)>,
}

const TIMESTAMP_END: i64 = 9_223_371_331_200_000_000; // 294277-01-01 00:00, the first not held

fn clamp_timestamp(t: i128) -> i64 {
    t.clamp(
        i128::from(buckets::TIMESTAMP_MIN),
        i128::from(TIMESTAMP_END - 1),
    ) as i64
}

impl Bucketer {
    /// `zone` is needed for timestamptz and ignored otherwise.
    ///
    /// # Safety
    /// `zone` is NULL or a zone from `pg_tzset` (as [`zone`] gives): those live as long as the backend.
    pub unsafe fn new(width: Width, kind: TimeKind, zone: *mut pg_sys::pg_tz) -> Bucketer {
        let mut east: std::ffi::c_long = 0;
        let fixed = kind == TimeKind::Timestamptz
            && !zone.is_null()
            && unsafe { pg_sys::pg_get_timezone_offset(zone, &mut east) };
        Bucketer {
            width,
            kind,
            zone,
            fixed_offset: fixed.then_some(i64::from(east) * 1_000_000),
            last: None,
        }
    }

    /// The bucket of a non-NULL time Datum of this kind, as a Datum of the same type.
    pub fn bucket(&mut self, time: pg_sys::Datum) -> pg_sys::Datum {
        match self.kind {
            TimeKind::Date => {
                let day = time.value() as i32;
                pg_sys::Datum::from(self.width.date_bucket(day))
            }
            TimeKind::Timestamp => {
                pg_sys::Datum::from(self.width.timestamp_bucket(time.value() as i64))
            }
            TimeKind::Timestamptz => {
                let t = time.value() as i64;
                if let Some((at, bucket)) = self.last {
                    if at == t {
                        return pg_sys::Datum::from(bucket);
                    }
                }
                let bucket = self.zoned_bucket(t);
                self.last = Some((t, bucket));
                pg_sys::Datum::from(bucket)
            }
        }
    }

    fn zoned_bucket(&self, t: i64) -> i64 {
        if t == buckets::TIMESTAMP_NOBEGIN || t == buckets::TIMESTAMP_NOEND {
            return t;
        }
        if let Some(east) = self.fixed_offset {
            let start = self
                .width
                .timestamp_bucket(clamp_timestamp(i128::from(t) + i128::from(east)));
            return clamp_timestamp(i128::from(start) - i128::from(east));
        }
        unsafe {
            // to the wall clock: timestamp2tm reports the offset in seconds west of Greenwich
            let mut tm = pg_sys::pg_tm::default();
            let mut fsec: pg_sys::fsec_t = 0;
            let mut west: i32 = 0;
            let local = if pg_sys::timestamp2tm(
                t,
                &mut west,
                &mut tm,
                &mut fsec,
                std::ptr::null_mut(),
                self.zone,
            ) == 0
            {
                clamp_timestamp(i128::from(t) - i128::from(west) * 1_000_000)
            } else {
                t
            };
            let start = self.width.timestamp_bucket(local);
            // and back: the offset the zone has at that wall-clock time
            let days = start.div_euclid(DAY);
            let (year, month, day) = buckets::civil_from_days(days);
            let seconds = start.rem_euclid(DAY) / 1_000_000;
            let mut tm = pg_sys::pg_tm {
                tm_year: year as i32,
                tm_mon: month as i32,
                tm_mday: day as i32,
                tm_hour: (seconds / 3600) as i32,
                tm_min: (seconds / 60 % 60) as i32,
                tm_sec: (seconds % 60) as i32,
                ..Default::default()
            };
            let west = pg_sys::DetermineTimeZoneOffset(&mut tm, self.zone);
            clamp_timestamp(i128::from(start) + i128::from(west) * 1_000_000)
        }
    }
}

/// The interval argument of a call.
unsafe fn interval_arg<'a>(datum: pg_sys::Datum) -> &'a pg_sys::Interval {
    unsafe { &*(datum.cast_mut_ptr::<pg_sys::Interval>()) }
}

unsafe fn interval_text(datum: pg_sys::Datum) -> String {
    unsafe {
        pgrx::direct_function_call::<&std::ffi::CStr>(pg_sys::interval_out, &[Some(datum)])
            .map(|t| t.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// A Bucketer for a call site, kept in fn_extra across rows, with the width and zone it was
/// made for: made again when a row brings another (the arguments are usually constants).
struct CallSite {
    interval: (i32, i32, i64),
    zone_name: *mut std::ffi::c_char,
    bucketer: Bucketer,
}

unsafe fn bucketer_of(fcinfo: pg_sys::FunctionCallInfo, kind: TimeKind) -> &'static mut Bucketer {
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        let zoned = kind == TimeKind::Timestamptz;
        let args = (*fcinfo).args.as_slice(if zoned { 3 } else { 2 });
        let interval = interval_arg(args[1].value);
        let key = (interval.month, interval.day, interval.time);
        let name = if zoned {
            String::from_datum(args[2].value, false)
        } else {
            None
        };
        let site = (*flinfo).fn_extra as *mut CallSite;
        let same = !site.is_null()
            && (*site).interval == key
            && (!zoned
                || std::ffi::CStr::from_ptr((*site).zone_name).to_str().ok() == name.as_deref());
        if !same {
            let width = width_of(interval, kind, &interval_text(args[1].value));
            let (tz, zone_name) = match &name {
                Some(n) => {
                    let c = CString::new(n.as_str())
                        .unwrap_or_else(|_| error!("time zone name contains a NUL byte"));
                    (
                        zone(n),
                        pg_sys::MemoryContextStrdup((*flinfo).fn_mcxt, c.as_ptr()),
                    )
                }
                None => (std::ptr::null_mut(), std::ptr::null_mut()),
            };
            let site =
                pg_sys::MemoryContextAlloc((*flinfo).fn_mcxt, std::mem::size_of::<CallSite>())
                    as *mut CallSite;
            site.write(CallSite {
                interval: key,
                zone_name,
                bucketer: Bucketer::new(width, kind, tz),
            });
            (*flinfo).fn_extra = site.cast();
        }
        &mut (*((*flinfo).fn_extra as *mut CallSite)).bucketer
    }
}

unsafe fn bucket_call(fcinfo: pg_sys::FunctionCallInfo, kind: TimeKind) -> pg_sys::Datum {
    unsafe {
        let time = (*fcinfo).args.as_slice(1)[0].value;
        bucketer_of(fcinfo, kind).bucket(time)
    }
}

use pgrx::FromDatum;

v1_function!(nps_live_bucket_date, pg_finfo_nps_live_bucket_date, |f| {
    bucket_call(f, TimeKind::Date)
});
v1_function!(
    nps_live_bucket_timestamp,
    pg_finfo_nps_live_bucket_timestamp,
    |f| bucket_call(f, TimeKind::Timestamp)
);
v1_function!(
    nps_live_bucket_timestamptz,
    pg_finfo_nps_live_bucket_timestamptz,
    |f| bucket_call(f, TimeKind::Timestamptz)
);

extension_sql!(
    r#"
CREATE FUNCTION nps_live_bucket("time" date, bucket interval) RETURNS date
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_bucket_date';
CREATE FUNCTION nps_live_bucket("time" timestamp, bucket interval) RETURNS timestamp
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_bucket_timestamp';
CREATE FUNCTION nps_live_bucket("time" timestamptz, bucket interval, time_zone text) RETURNS timestamptz
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', 'nps_live_bucket_timestamptz';
COMMENT ON FUNCTION nps_live_bucket(date, interval) IS
    'The bucket a live summary files this date under: fixed lengths from Monday 2000-01-03, whole months in blocks from January 2000';
COMMENT ON FUNCTION nps_live_bucket(timestamp, interval) IS
    'The bucket a live summary files this time under: fixed lengths from Monday 2000-01-03 00:00, whole months in blocks from January 2000';
COMMENT ON FUNCTION nps_live_bucket(timestamptz, interval, text) IS
    'The bucket a live summary files this instant under, on the wall clock of the time zone';
"#,
    name = "nps_live_bucket"
);
