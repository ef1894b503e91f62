//! The stored and text forms of an `nps_summary` (pure Rust; nothing here may panic on input).
//!
//! Binary (on disk, and the payload of binary send/receive):
//!
//! ```text
//! byte 0      format version, 1
//! byte 1      flags, 0 (reserved: weight sums will set a bit and append them)
//! then        11 counts, answers 0..=10, each an unsigned LEB128 varint (1 byte below 128)
//! ```
//!
//! A daily summary of a few hundred answers takes 2 + 11..22 bytes (plus PostgreSQL's 1-byte
//! short varlena header on disk), against 88 bytes for eleven int8.
//!
//! Text: `v1:` followed by the 11 counts separated by commas, e.g. `v1:0,0,0,1,0,2,3,4,5,6,7`.

use crate::tally::{Tally, ANSWERS};
use std::fmt;

/// The format version written by this release.
pub const VERSION: u8 = 1;

/// Why bytes or text are not a summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    Empty,
    UnknownVersion(String),
    UnknownFlags(u8),
    Truncated,
    TrailingBytes(usize),
    WrongCount(usize),
    Negative(String),
    Overflow(String),
    NotANumber(String),
    BadVarint,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Empty => write!(f, "empty input"),
            FormatError::UnknownVersion(v) => {
                write!(
                    f,
                    "unknown format version {v} (this release reads version {VERSION})"
                )
            }
            FormatError::UnknownFlags(b) => write!(f, "unknown flags {b:#04x}"),
            FormatError::Truncated => write!(f, "input ends in the middle of the counts"),
            FormatError::TrailingBytes(n) => {
                write!(f, "unexpected trailing bytes after the counts: {n}")
            }
            FormatError::WrongCount(n) => {
                write!(f, "{n} counts given, expected {ANSWERS} (answers 0 to 10)")
            }
            FormatError::Negative(v) => write!(f, "count {v} is negative"),
            FormatError::Overflow(v) => write!(f, "count {v} is out of range for bigint"),
            FormatError::NotANumber(v) => write!(f, "count \"{v}\" is not a whole number"),
            FormatError::BadVarint => write!(f, "a count is encoded in more than 64 bits"),
        }
    }
}

/// The binary form of `tally`.
pub fn encode(tally: &Tally) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + ANSWERS * 2);
    out.push(VERSION);
    out.push(0);
    for &count in tally.counts() {
        let mut v = count as u64; // counts are never negative
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

/// Parse the binary form, validating everything.
pub fn decode(bytes: &[u8]) -> Result<Tally, FormatError> {
    let (&version, rest) = bytes.split_first().ok_or(FormatError::Empty)?;
    if version != VERSION {
        return Err(FormatError::UnknownVersion(version.to_string()));
    }
    let (&flags, mut rest) = rest.split_first().ok_or(FormatError::Truncated)?;
    if flags != 0 {
        return Err(FormatError::UnknownFlags(flags));
    }
    let mut counts = [0i64; ANSWERS];
    for count in counts.iter_mut() {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let (&byte, tail) = rest.split_first().ok_or(FormatError::Truncated)?;
            rest = tail;
            let bits = u64::from(byte & 0x7f);
            if shift >= 64 || (shift == 63 && bits > 1) {
                return Err(FormatError::BadVarint);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        *count = i64::try_from(value).map_err(|_| FormatError::Overflow(value.to_string()))?;
    }
    if !rest.is_empty() {
        return Err(FormatError::TrailingBytes(rest.len()));
    }
    Ok(Tally::from_counts(counts).expect("decoded counts are non-negative"))
}

/// The text form of `tally`.
pub fn to_text(tally: &Tally) -> String {
    let counts: Vec<String> = tally.counts().iter().map(i64::to_string).collect();
    format!("v{VERSION}:{}", counts.join(","))
}

/// Parse the text form, validating everything. Spaces around counts are allowed.
pub fn parse_text(text: &str) -> Result<Tally, FormatError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FormatError::Empty);
    }
    let Some((version, body)) = text.split_once(':') else {
        return Err(FormatError::UnknownVersion(shorten(text)));
    };
    if version.trim() != format!("v{VERSION}") {
        return Err(FormatError::UnknownVersion(shorten(version.trim())));
    }
    let fields: Vec<&str> = body.split(',').map(str::trim).collect();
    if fields.len() != ANSWERS {
        return Err(FormatError::WrongCount(fields.len()));
    }
    let mut counts = [0i64; ANSWERS];
    for (count, field) in counts.iter_mut().zip(fields) {
        let digits = field.strip_prefix('-').unwrap_or(field);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FormatError::NotANumber(shorten(field)));
        }
        if field.starts_with('-') && digits.bytes().any(|b| b != b'0') {
            return Err(FormatError::Negative(shorten(field)));
        }
        *count = digits
            .parse::<i64>()
            .map_err(|_| FormatError::Overflow(shorten(field)))?;
    }
    Ok(Tally::from_counts(counts).expect("parsed counts are non-negative"))
}

/// At most 40 characters of untrusted input in a message.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(counts: [i64; ANSWERS]) -> Tally {
        Tally::from_counts(counts).unwrap()
    }

    #[test]
    fn binary_layout_by_hand() {
        let t = tally([0, 1, 127, 128, 300, 0, 0, 0, 0, 0, 16384]);
        // 128 = 0x80 -> [0x80, 0x01]; 300 = 0b10_0101100 -> [0xac, 0x02]; 16384 -> [0x80, 0x80, 0x01]
        let expected = vec![
            1, 0, 0, 1, 127, 0x80, 0x01, 0xac, 0x02, 0, 0, 0, 0, 0, 0x80, 0x80, 0x01,
        ];
        assert_eq!(encode(&t), expected);
        assert_eq!(decode(&expected), Ok(t));
    }

    #[test]
    fn a_typical_daily_summary_is_small() {
        // 500 answers: every count is below 128, so one byte each after version and flags.
        let t = tally([10, 5, 8, 12, 15, 30, 40, 70, 90, 120, 100]);
        assert_eq!(encode(&t).len(), 2 + 11);
        // 50,000 answers: counts below 16384 take two bytes.
        let t = tally([
            1000, 500, 800, 1200, 1500, 3000, 4000, 7000, 9000, 12000, 10000,
        ]);
        assert_eq!(encode(&t).len(), 2 + 11 * 2);
    }

    #[test]
    fn extreme_counts_round_trip() {
        let t = tally([i64::MAX, 0, 1, i64::MAX - 1, 0, 0, 0, 0, 0, 0, 1 << 62]);
        assert_eq!(decode(&encode(&t)), Ok(t));
        assert_eq!(parse_text(&to_text(&t)), Ok(t));
    }

    #[test]
    fn bad_bytes_are_rejected_not_panicked_on() {
        let good = encode(&tally([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
        assert_eq!(decode(&[]), Err(FormatError::Empty));
        assert_eq!(
            decode(&[2, 0]),
            Err(FormatError::UnknownVersion("2".into()))
        );
        assert_eq!(decode(&[1, 4]), Err(FormatError::UnknownFlags(4)));
        assert_eq!(decode(&good[..good.len() - 1]), Err(FormatError::Truncated));
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(decode(&trailing), Err(FormatError::TrailingBytes(1)));
        // 2^63 does not fit in a bigint count
        let mut big = vec![1, 0];
        big.extend([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        big.extend([0; 10]);
        assert_eq!(
            decode(&big),
            Err(FormatError::Overflow((1u64 << 63).to_string()))
        );
        // a varint that never ends
        let mut endless = vec![1, 0];
        endless.extend([0xff; 20]);
        assert_eq!(decode(&endless), Err(FormatError::BadVarint));
        // every prefix of every byte string of a short alphabet: errors, never panics
        for len in 0..good.len() {
            let _ = decode(&good[..len]);
        }
        for b0 in 0..=255u8 {
            for b1 in [0u8, 1, 0x7f, 0x80, 0xff] {
                let _ = decode(&[1, 0, b0, b1, b1, b0]);
            }
        }
    }

    #[test]
    fn text_form_by_hand() {
        let t = tally([0, 0, 0, 1, 0, 2, 3, 4, 5, 6, 7]);
        assert_eq!(to_text(&t), "v1:0,0,0,1,0,2,3,4,5,6,7");
        assert_eq!(parse_text(" v1: 0, 0,0,1,0,2,3,4,5,6,7 "), Ok(t));
    }

    #[test]
    fn bad_text_is_rejected_with_the_reason() {
        use FormatError::*;
        let cases = [
            ("", Empty),
            (
                "0,0,0,0,0,0,0,0,0,0,0",
                UnknownVersion("0,0,0,0,0,0,0,0,0,0,0".into()),
            ),
            ("v2:0,0,0,0,0,0,0,0,0,0,0", UnknownVersion("v2".into())),
            ("v1:0,0,0", WrongCount(3)),
            ("v1:0,0,0,0,0,0,0,0,0,0,0,0", WrongCount(12)),
            ("v1:0,0,0,0,0,-1,0,0,0,0,0", Negative("-1".into())),
            (
                "v1:0,0,0,0,0,0,0,0,0,0,9223372036854775808",
                Overflow("9223372036854775808".into()),
            ),
            ("v1:0,0,0,0,0,0,0,0,0,0,1x", NotANumber("1x".into())),
            ("v1:0,0,0,0,0,0,0,0,0,0,", NotANumber("".into())),
            ("v1:0,0,0,0,0,0,0,0,0,0,+1", NotANumber("+1".into())),
            ("v1:0,0,0,0,0,0,0,0,0,0,1.5", NotANumber("1.5".into())),
        ];
        for (text, err) in cases {
            assert_eq!(parse_text(text), Err(err), "{text:?}");
        }
        assert_eq!(
            parse_text("v1:0,0,0,0,0,0,0,0,0,0,-0"),
            Ok(Tally::default())
        );
    }
}
