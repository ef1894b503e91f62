//! Turning SQL inputs into checked answers. An NPS answer is a whole number from 0 to 10;
//! anything else is an error naming the value and the rule, never a silently dropped row.

use pgrx::prelude::*;
use pgrx::{AnyNumeric, FromDatum, PgSqlErrorCode};
use std::fmt;

/// A checked NPS answer, 0..=10.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Answer(u8);

/// Why a value is not an NPS answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerError {
    /// A whole number outside 0..=10 (the value as text).
    OutOfRange(String),
    /// A number with a fractional part, such as 9.5.
    NotWhole(String),
    /// numeric 'NaN'.
    NotANumber,
}

impl Answer {
    /// Check a whole number.
    #[inline(always)]
    pub fn from_int(value: i64) -> Result<Answer, AnswerError> {
        if (0..=10).contains(&value) {
            Ok(Answer(value as u8))
        } else {
            Err(AnswerError::OutOfRange(value.to_string()))
        }
    }

    /// Check a numeric: it must be a whole number (9.0 is fine, 9.5 is not) in 0..=10.
    pub fn from_numeric(value: &AnyNumeric) -> Result<Answer, AnswerError> {
        if value.is_nan() {
            return Err(AnswerError::NotANumber);
        }
        // Infinity and numbers beyond i64 fail this conversion: they are out of range.
        let whole =
            i64::try_from(value.floor()).map_err(|_| AnswerError::OutOfRange(value.to_string()))?;
        if AnyNumeric::from(whole) != *value {
            return Err(AnswerError::NotWhole(value.to_string()));
        }
        Answer::from_int(whole).map_err(|_| AnswerError::OutOfRange(value.to_string()))
    }

    /// Check a double precision (or a real, widened exactly): whole and in 0..=10, with the
    /// errors numeric gives (NaN; infinities and whole values beyond 0..=10 out of range; any
    /// other value not whole). `shown` spells the value the way PostgreSQL prints it (see
    /// [`float8_text`]).
    #[inline(always)]
    pub fn from_float(value: f64, shown: fn(f64) -> String) -> Result<Answer, AnswerError> {
        if (0.0..=10.0).contains(&value) {
            let whole = value as u8; // truncates; -0.0 gives 0
            if f64::from(whole) == value {
                return Ok(Answer(whole));
            }
        }
        Err(Answer::float_error(value, shown))
    }

    #[cold]
    #[inline(never)]
    fn float_error(value: f64, shown: fn(f64) -> String) -> AnswerError {
        if value.is_nan() {
            AnswerError::NotANumber
        } else if value.is_finite() && value.fract() != 0.0 {
            AnswerError::NotWhole(shown(value))
        } else {
            AnswerError::OutOfRange(shown(value))
        }
    }

    /// The answer as an index 0..=10.
    #[inline(always)]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl AnswerError {
    /// The SQLSTATE this error is reported with (class 22, data exception).
    pub fn sql_error_code(&self) -> PgSqlErrorCode {
        match self {
            AnswerError::OutOfRange(_) => PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
            AnswerError::NotWhole(_) | AnswerError::NotANumber => {
                PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE
            }
        }
    }

    /// Raise this as a PostgreSQL ERROR; does not return.
    pub fn report(&self) -> ! {
        ereport!(
            ERROR,
            self.sql_error_code(),
            self.to_string(),
            "An NPS answer is a whole number from 0 to 10."
        );
    }
}

/// A value as it appears in a message: huge numerics are cut to their first digits.
fn shown(value: &str) -> String {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::OutOfRange(v) => write!(f, "NPS answer {} is out of range", shown(v)),
            AnswerError::NotWhole(v) => write!(f, "NPS answer {} is not a whole number", shown(v)),
            AnswerError::NotANumber => write!(f, "NPS answer NaN is not a number"),
        }
    }
}

/// `value` as PostgreSQL prints a double precision (`float8out`, shortest exact digits): plain
/// for decimal exponents -4..14, else `1e+100`, `1.5e-05`.
pub fn float8_text(value: f64) -> String {
    float_text(format!("{value:e}"), value, 15)
}

/// `value` (a real widened to double precision) as PostgreSQL prints the real (`float4out`):
/// the shortest digits of the real, plain for decimal exponents -4..5.
pub fn float4_text(value: f64) -> String {
    float_text(format!("{:e}", value as f32), value, 6)
}

/// PostgreSQL's layout of Rust's shortest scientific form `sci` (`9.5e0`, `-1e100`).
fn float_text(sci: String, value: f64, plain_below: i32) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let (mantissa, exponent) = sci.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} has a decimal exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    if !(-4..plain_below).contains(&exponent) {
        let e_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{e_sign}{:02}", exponent.abs());
    }
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let plain = if exponent < 0 {
        format!("0.{}{digits}", "0".repeat((-exponent - 1) as usize))
    } else {
        let point = exponent as usize + 1;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{plain}")
}

/// An SQL input type that holds an NPS answer: checked on the way in, or an ERROR.
pub trait ScoreInput {
    fn checked_answer(&self) -> Answer;
}

macro_rules! integer_input {
    ($($ty:ty),*) => {$(
        impl ScoreInput for $ty {
            #[inline(always)]
            fn checked_answer(&self) -> Answer {
                Answer::from_int(i64::from(*self)).unwrap_or_else(|e| e.report())
            }
        }
    )*};
}
integer_input!(i16, i32, i64);

impl ScoreInput for f64 {
    #[inline(always)]
    fn checked_answer(&self) -> Answer {
        Answer::from_float(*self, float8_text).unwrap_or_else(|e| e.report())
    }
}

impl ScoreInput for f32 {
    #[inline(always)]
    fn checked_answer(&self) -> Answer {
        Answer::from_float(f64::from(*self), float4_text).unwrap_or_else(|e| e.report())
    }
}

impl ScoreInput for AnyNumeric {
    fn checked_answer(&self) -> Answer {
        Answer::from_numeric(self).unwrap_or_else(|e| e.report())
    }
}

/// An SQL input type read straight from its (non-NULL) Datum in the per-row functions.
pub trait ScoreDatum {
    /// The checked answer in `datum`, or an ERROR.
    ///
    /// # Safety
    /// `datum` must be a non-NULL value of the SQL type this is implemented for.
    unsafe fn checked_answer_of(datum: pg_sys::Datum) -> Answer;
}

macro_rules! integer_datum {
    ($($ty:ty),*) => {$(
        impl ScoreDatum for $ty {
            #[inline(always)]
            unsafe fn checked_answer_of(datum: pg_sys::Datum) -> Answer {
                let value = unsafe { <$ty>::from_datum(datum, false) }.expect("not NULL");
                Answer::from_int(i64::from(value)).unwrap_or_else(|e| e.report())
            }
        }
    )*};
}
integer_datum!(i16, i32, i64);

// real and double precision answers (pandas and CSV loaders write a score column with missing
// values as float64): whole values count, anything else is the error numeric gives
macro_rules! float_datum {
    ($($ty:ty),*) => {$(
        impl ScoreDatum for $ty {
            #[inline(always)]
            unsafe fn checked_answer_of(datum: pg_sys::Datum) -> Answer {
                unsafe { <$ty>::from_datum(datum, false) }.expect("not NULL").checked_answer()
            }
        }
    )*};
}
float_datum!(f32, f64);

impl ScoreDatum for AnyNumeric {
    /// The fast path reads the numeric's own bytes in place (see numeric.rs); whatever it does
    /// not accept goes through PostgreSQL's numeric functions as before, so errors are unchanged.
    #[inline(always)]
    unsafe fn checked_answer_of(datum: pg_sys::Datum) -> Answer {
        match crate::numeric::whole_answer(unsafe { crate::varlena::bytes_of(datum) }) {
            Some(answer) => answer,
            None => unsafe { slow_numeric_answer(datum) },
        }
    }
}

/// Whatever the fast path leaves: through AnyNumeric, accepting or raising the error.
#[cold]
#[inline(never)]
unsafe fn slow_numeric_answer(datum: pg_sys::Datum) -> Answer {
    let numeric = unsafe { AnyNumeric::from_datum(datum, false) }.expect("not NULL");
    numeric.checked_answer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_whole_answer_is_accepted() {
        for v in 0..=10 {
            assert_eq!(Answer::from_int(v).unwrap().index(), v as usize);
        }
    }

    #[test]
    fn out_of_range_names_the_value() {
        for v in [-1, 11, 32767, i64::MIN, i64::MAX] {
            let e = Answer::from_int(v).unwrap_err();
            assert_eq!(e, AnswerError::OutOfRange(v.to_string()));
            assert_eq!(e.to_string(), format!("NPS answer {v} is out of range"));
        }
    }

    #[test]
    fn whole_floats_are_answers() {
        for v in 0..=10 {
            let answer = Answer::from_float(f64::from(v), float8_text).unwrap();
            assert_eq!(answer.index(), v as usize);
        }
        assert_eq!(Answer::from_float(-0.0, float8_text).unwrap().index(), 0);
    }

    #[test]
    fn other_floats_are_the_errors_numeric_gives() {
        let cases = [
            (9.5, AnswerError::NotWhole("9.5".into())),
            (-0.5, AnswerError::NotWhole("-0.5".into())),
            (
                10.000000000000002,
                AnswerError::NotWhole("10.000000000000002".into()),
            ),
            (1e-300, AnswerError::NotWhole("1e-300".into())),
            (11.0, AnswerError::OutOfRange("11".into())),
            (-1.0, AnswerError::OutOfRange("-1".into())),
            (1e100, AnswerError::OutOfRange("1e+100".into())),
            (f64::INFINITY, AnswerError::OutOfRange("Infinity".into())),
            (
                f64::NEG_INFINITY,
                AnswerError::OutOfRange("-Infinity".into()),
            ),
            (f64::NAN, AnswerError::NotANumber),
        ];
        for (v, expected) in cases {
            assert_eq!(
                Answer::from_float(v, float8_text).unwrap_err(),
                expected,
                "{v}"
            );
        }
        assert_eq!(
            AnswerError::NotWhole(float8_text(9.5)).to_string(),
            "NPS answer 9.5 is not a whole number"
        );
    }

    #[test]
    fn floats_are_spelled_as_postgresql_prints_them() {
        // SELECT v::float8::text in PostgreSQL 12 and later (extra_float_digits = 1)
        let doubles = [
            (9.5, "9.5"),
            (11.0, "11"),
            (-0.0, "-0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456789012345.0, "123456789012345"),
            (1e15, "1e+15"),
            (1.5e300, "1.5e+300"),
            (0.1, "0.1"),
            (-2.5e-7, "-2.5e-07"),
            (f64::NAN, "NaN"),
        ];
        for (v, shown) in doubles {
            assert_eq!(float8_text(v), shown);
        }
        // SELECT v::real::text
        let reals = [
            (9.5f32, "9.5"),
            (0.1, "0.1"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (3e-5, "3e-05"),
        ];
        for (v, shown) in reals {
            assert_eq!(float4_text(f64::from(v)), shown);
        }
    }

    #[test]
    fn huge_values_are_shortened_in_messages() {
        let e = AnswerError::OutOfRange("1".repeat(100));
        assert_eq!(
            e.to_string(),
            format!("NPS answer {}... is out of range", "1".repeat(40))
        );
    }
}
