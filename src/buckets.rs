//! The time buckets of live summaries, as plain arithmetic on PostgreSQL's representations:
//! a date is days since 2000-01-01, a timestamp microseconds since 2000-01-01 00:00 (both
//! on the wall clock; time zones are the SQL layer's business).
//!
//! Fixed lengths count from Monday 2000-01-03 00:00, so '1 day' starts at midnight, '1 hour' on
//! the hour and '7 days' on Mondays; whole months count in blocks from January 2000, so '3
//! months' are quarters and '12 months' years. A bucket is named by its start. Infinite times
//! are buckets of their own, and a start that would fall before the earliest date or timestamp
//! PostgreSQL can hold is that earliest value: no time, however extreme, makes a bucket fail.

/// Microseconds per day.
pub const DAY: i64 = 86_400_000_000;
/// 2000-01-03, the Monday fixed lengths count from, in days since 2000-01-01.
const ORIGIN_DAYS: i64 = 2;
/// The earliest date PostgreSQL holds, 4714-11-24 BC (Julian day 0), in days since 2000-01-01.
pub const DATE_MIN: i32 = -2_451_545;
/// The earliest timestamp PostgreSQL holds, 4714-11-24 BC 00:00.
pub const TIMESTAMP_MIN: i64 = -211_813_488_000_000_000;
/// -infinity and infinity as dates and timestamps.
pub const DATE_NOBEGIN: i32 = i32::MIN;
pub const DATE_NOEND: i32 = i32::MAX;
pub const TIMESTAMP_NOBEGIN: i64 = i64::MIN;
pub const TIMESTAMP_NOEND: i64 = i64::MAX;

/// The length of a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// A fixed length in microseconds (whole days for a date column).
    Fixed(i64),
    /// Whole months.
    Months(i32),
}

/// Why an interval is not a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidthError {
    NotPositive,
    MixesMonths,
    NotWholeDays,
}

impl Width {
    /// The bucket an interval (months, days, microseconds) describes; `days_only` for a date
    /// column, whose buckets must be whole days or months.
    pub fn from_interval(
        months: i32,
        days: i32,
        micros: i64,
        days_only: bool,
    ) -> Result<Width, WidthError> {
        if months < 0 || days < 0 || micros < 0 || (months, days, micros) == (0, 0, 0) {
            return Err(WidthError::NotPositive);
        }
        if months > 0 {
            return if days > 0 || micros > 0 {
                Err(WidthError::MixesMonths)
            } else {
                Ok(Width::Months(months))
            };
        }
        let length = i64::from(days)
            .checked_mul(DAY)
            .and_then(|d| d.checked_add(micros))
            .ok_or(WidthError::NotPositive)?;
        if days_only && length % DAY != 0 {
            return Err(WidthError::NotWholeDays);
        }
        Ok(Width::Fixed(length))
    }

    /// The bucket of a date (days since 2000-01-01); infinities are their own buckets.
    pub fn date_bucket(self, day: i32) -> i32 {
        if day == DATE_NOBEGIN || day == DATE_NOEND {
            return day;
        }
        let start = match self {
            Width::Fixed(length) => {
                let days = (length / DAY).max(1);
                ORIGIN_DAYS + (i64::from(day) - ORIGIN_DAYS).div_euclid(days) * days
            }
            Width::Months(months) => {
                let (year, month, _) = civil_from_days(i64::from(day));
                days_from_civil_month(month_block(year, month, months))
            }
        };
        start.max(i64::from(DATE_MIN)) as i32
    }

    /// The bucket of a wall-clock timestamp (microseconds since 2000-01-01 00:00).
    pub fn timestamp_bucket(self, t: i64) -> i64 {
        if t == TIMESTAMP_NOBEGIN || t == TIMESTAMP_NOEND {
            return t;
        }
        let start: i128 = match self {
            Width::Fixed(length) => {
                let (t, length, origin) = (
                    i128::from(t),
                    i128::from(length),
                    i128::from(ORIGIN_DAYS * DAY),
                );
                origin + (t - origin).div_euclid(length) * length
            }
            Width::Months(months) => {
                let (year, month, _) = civil_from_days(t.div_euclid(DAY));
                i128::from(days_from_civil_month(month_block(year, month, months)))
                    * i128::from(DAY)
            }
        };
        // a start never lies after its time, so only the lower end needs a bound
        start.max(i128::from(TIMESTAMP_MIN)) as i64
    }
}

/// (year, month) of the first month of the block of `months` months holding year-month, blocks
/// counted from January 2000.
fn month_block(year: i64, month: i64, months: i32) -> (i64, i64) {
    let since = (year - 2000) * 12 + (month - 1);
    let block = since.div_euclid(i64::from(months)) * i64::from(months);
    (2000 + block.div_euclid(12), block.rem_euclid(12) + 1)
}

fn days_from_civil_month((year, month): (i64, i64)) -> i64 {
    days_from_civil(year, month, 1)
}

/// Days since 2000-01-01 of a proleptic Gregorian date (year 0 is 1 BC, as PostgreSQL counts
/// internally). Howard Hinnant's days_from_civil, shifted to PostgreSQL's epoch.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 - 10_957
}

/// The proleptic Gregorian (year, month, day) of a day count since 2000-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 10_957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;

    fn ts(y: i64, m: i64, d: i64, hours: i64) -> i64 {
        days_from_civil(y, m, d) * DAY + hours * H
    }

    #[test]
    fn calendar_round_trips_and_known_days() {
        assert_eq!(days_from_civil(2000, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 1, 3), 2);
        assert_eq!(days_from_civil(2026, 1, 7), 9503); // 26 years, 7 of them leap, and 6 days
        assert_eq!(days_from_civil(1999, 12, 31), -1);
        // Julian day 0 is 4714-11-24 BC, year -4713 in this count
        assert_eq!(days_from_civil(-4713, 11, 24), i64::from(DATE_MIN));
        for d in (-2_500_000..2_500_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d, "{y}-{m}-{dd}");
        }
    }

    #[test]
    fn widths_from_intervals() {
        assert_eq!(Width::from_interval(0, 1, 0, true), Ok(Width::Fixed(DAY)));
        assert_eq!(
            Width::from_interval(0, 1, 12 * H, false),
            Ok(Width::Fixed(36 * H))
        );
        assert_eq!(Width::from_interval(3, 0, 0, true), Ok(Width::Months(3)));
        assert_eq!(
            Width::from_interval(0, 0, 0, false),
            Err(WidthError::NotPositive)
        );
        assert_eq!(
            Width::from_interval(0, -1, 0, false),
            Err(WidthError::NotPositive)
        );
        assert_eq!(
            Width::from_interval(1, 2, 0, false),
            Err(WidthError::MixesMonths)
        );
        assert_eq!(
            Width::from_interval(0, 0, 6 * H, true),
            Err(WidthError::NotWholeDays)
        );
        assert_eq!(
            Width::from_interval(0, i32::MAX, i64::MAX, false),
            Err(WidthError::NotPositive)
        );
    }

    #[test]
    fn fixed_buckets_count_from_monday_2000_01_03() {
        let day = Width::Fixed(DAY);
        assert_eq!(day.date_bucket(9503), 9503);
        // 2026-01-07 is a Wednesday; 9501 days after 2000-01-03, so 2-day buckets start a day earlier
        assert_eq!(Width::Fixed(2 * DAY).date_bucket(9503), 9502);
        assert_eq!(
            Width::Fixed(7 * DAY).date_bucket(9503),
            days_from_civil(2026, 1, 5) as i32
        );
        assert_eq!(
            Width::Fixed(7 * DAY).date_bucket(-1),
            days_from_civil(1999, 12, 27) as i32
        );
        let t = ts(2026, 1, 7, 13) + 47 * 60_000_000;
        assert_eq!(Width::Fixed(H).timestamp_bucket(t), ts(2026, 1, 7, 13));
        assert_eq!(
            Width::Fixed(90 * 60_000_000).timestamp_bucket(t),
            ts(2026, 1, 7, 13) + 30 * 60_000_000
        );
        assert_eq!(
            Width::Fixed(36 * H).timestamp_bucket(ts(2026, 1, 8, 13)),
            ts(2026, 1, 8, 12)
        );
        assert_eq!(
            Width::Fixed(DAY).timestamp_bucket(ts(1999, 12, 31, 23)),
            ts(1999, 12, 31, 0)
        );
    }

    #[test]
    fn month_buckets_are_blocks_from_january_2000() {
        let d = |y, m, dd| days_from_civil(y, m, dd) as i32;
        assert_eq!(Width::Months(1).date_bucket(d(2026, 1, 7)), d(2026, 1, 1));
        assert_eq!(Width::Months(3).date_bucket(d(2026, 5, 20)), d(2026, 4, 1));
        assert_eq!(Width::Months(2).date_bucket(d(2026, 4, 15)), d(2026, 3, 1));
        assert_eq!(
            Width::Months(18).date_bucket(d(1999, 12, 31)),
            d(1998, 7, 1)
        );
        assert_eq!(Width::Months(24).date_bucket(d(2027, 3, 1)), d(2026, 1, 1));
        assert_eq!(Width::Months(12).date_bucket(d(2026, 5, 20)), d(2026, 1, 1));
        assert_eq!(
            Width::Months(3).timestamp_bucket(ts(2026, 12, 31, 23)),
            ts(2026, 10, 1, 0)
        );
    }

    #[test]
    fn extremes_never_overflow() {
        for width in [
            Width::Fixed(1),
            Width::Fixed(DAY),
            Width::Fixed(7 * DAY),
            Width::Fixed(i64::MAX),
            Width::Months(1),
            Width::Months(5),
            Width::Months(i32::MAX),
        ] {
            assert_eq!(width.timestamp_bucket(TIMESTAMP_NOBEGIN), TIMESTAMP_NOBEGIN);
            assert_eq!(width.timestamp_bucket(TIMESTAMP_NOEND), TIMESTAMP_NOEND);
            let first = width.timestamp_bucket(TIMESTAMP_MIN);
            assert_eq!(first, TIMESTAMP_MIN, "{width:?}");
            let last_time = 9_223_371_331_200_000_000 - 1; // 294276-12-31 23:59:59.999999
            let last = width.timestamp_bucket(last_time);
            assert!(last <= last_time && last >= TIMESTAMP_MIN, "{width:?}");
            if let Width::Fixed(l) = width {
                if l < DAY * 1000 {
                    assert!(last_time - last < l);
                }
            }
            let days_only = match width {
                Width::Fixed(l) => Width::Fixed((l / DAY).max(1) * DAY),
                w => w,
            };
            assert_eq!(days_only.date_bucket(DATE_NOBEGIN), DATE_NOBEGIN);
            assert_eq!(days_only.date_bucket(DATE_NOEND), DATE_NOEND);
            assert_eq!(days_only.date_bucket(DATE_MIN), DATE_MIN);
            let last_date = 2_145_031_948; // 5874897-12-31
            assert!(days_only.date_bucket(last_date) <= last_date);
        }
    }
}
