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
    fn huge_values_are_shortened_in_messages() {
        let e = AnswerError::OutOfRange("1".repeat(100));
        assert_eq!(
            e.to_string(),
            format!("NPS answer {}... is out of range", "1".repeat(40))
        );
    }
}
