//! The stored and text forms of an `nps_summary` (pure Rust; nothing here may panic on input).
//!
//! Binary (on disk, and the payload of binary send/receive):
//!
//! ```text
//! byte 0      format version, 1
//! byte 1      flags: bit 0 set when weight sums follow; other bits must be 0
//! then        11 counts, answers 0..=10, each an unsigned LEB128 varint (1 byte below 128)
//! [weighted]  11 weight sums, answers 0..=10, then the sum of squared weights: f64 little-endian
//! ```
//!
//! A daily summary of a few hundred answers takes 2 + 11..22 bytes (plus PostgreSQL's 1-byte
//! short varlena header on disk), against 88 bytes for eleven int8.
//!
//! Text: `v1:` followed by the 11 counts separated by commas, e.g. `v1:0,0,0,1,0,2,3,4,5,6,7`;
//! weighted summaries add `;weights=` with the 11 weight sums and `;squares=` with the sum of
//! squared weights (shortest decimal forms that read back to the same doubles).
//!
//! Two levels of checking. Stored values ([`decode`], the FromDatum path) get the structural
//! checks every release made, so anything an earlier release stored reads back identical.
//! Values that come in from outside ([`parse_text`], [`decode_received`] for binary receive and
//! the parallel-state deserializers, [`decode_state`]) must also be possible: a summary that
//! no sequence of answers produces is rejected (see [`check_possible`]).

use crate::tally::{Tally, ANSWERS};
use crate::weights::{Summary, Weights};
use std::fmt;

/// The format version written by this release.
pub const VERSION: u8 = 1;
const WEIGHTED: u8 = 1;

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
    BadWeight(String),
    BadWeights(String),
    WeightWithoutAnswers(usize),
    /// A varint with more bytes than its value needs (the encoder never writes one).
    NonMinimalVarint,
    /// Counts whose sum, the responses, exceeds bigint.
    TooManyResponses(String),
    /// A sum of squared weights outside the bounds the weight sums allow.
    ImpossibleSquares {
        squares: String,
        low: String,
        high: String,
    },
    /// A parallel state of the wrong size.
    WrongStateLength(usize),
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
            FormatError::BadWeight(v) => {
                write!(f, "weight \"{v}\" is not a finite number at least 0")
            }
            FormatError::BadWeights(v) => write!(
                f,
                "malformed weights \"{v}\" (expected ;weights=w0,...,w10;squares=s)"
            ),
            FormatError::WeightWithoutAnswers(a) => {
                write!(f, "answer {a} has weight but no answers")
            }
            FormatError::NonMinimalVarint => write!(
                f,
                "a count is encoded in more bytes than its value needs (varints must be minimal)"
            ),
            FormatError::TooManyResponses(n) => write!(
                f,
                "the counts add up to {n} responses, more than bigint holds"
            ),
            FormatError::ImpossibleSquares { squares, low, high } => write!(
                f,
                "sum of squared weights {squares} is impossible for these weight sums: \
                 it must lie between {low} (sum of W_k^2/n_k) and {high} (sum of W_k^2)"
            ),
            FormatError::WrongStateLength(n) => write!(
                f,
                "{n} bytes, expected {} (11 counts of 8 bytes)",
                ANSWERS * 8
            ),
        }
    }
}

/// The binary form of `summary`.
pub fn encode(summary: &Summary) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + ANSWERS * 2);
    out.push(VERSION);
    out.push(if summary.weights.is_some() {
        WEIGHTED
    } else {
        0
    });
    for &count in summary.tally.counts() {
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
    if let Some(w) = &summary.weights {
        for v in w.sums.iter().chain([&w.squares]) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Read a stored value: the structural checks of every release (version, flags, lengths,
/// counts and weights in range), nothing more, so stored summaries read back identical forever.
pub fn decode(bytes: &[u8]) -> Result<Summary, FormatError> {
    decode_with(bytes, false)
}

/// Read bytes from outside (binary receive, a parallel worker's state): the structural checks,
/// minimal varints, and [`check_possible`].
pub fn decode_received(bytes: &[u8]) -> Result<Summary, FormatError> {
    let summary = decode_with(bytes, true)?;
    check_possible(&summary)?;
    Ok(summary)
}

/// The rules a summary from outside must meet beyond its structure, so that it could be the
/// summary of some answers: the responses fit in bigint, and for weights the sum of squares
/// lies within the Cauchy-Schwarz bounds of the weight sums (see [`Weights::squares_bounds`]).
pub fn check_possible(summary: &Summary) -> Result<(), FormatError> {
    if summary.tally.checked_responses().is_none() {
        let total: i128 = summary.tally.counts().iter().map(|&c| i128::from(c)).sum();
        return Err(FormatError::TooManyResponses(total.to_string()));
    }
    if let Some(w) = &summary.weights {
        if !w.squares_within_bounds(&summary.tally) {
            let (low, high) = w.squares_bounds(&summary.tally);
            return Err(FormatError::ImpossibleSquares {
                squares: shown(w.squares),
                low: shown(low),
                high: shown(high),
            });
        }
    }
    Ok(())
}

/// The parallel state of `nps(score)` and `nps_agg(score)` (see [`Tally::to_le_bytes`]):
/// 88 bytes, counts not negative, responses within bigint.
pub fn decode_state(bytes: &[u8]) -> Result<Tally, FormatError> {
    if bytes.len() != ANSWERS * 8 {
        return Err(FormatError::WrongStateLength(bytes.len()));
    }
    let mut counts = [0i64; ANSWERS];
    for (c, chunk) in counts.iter_mut().zip(bytes.chunks_exact(8)) {
        *c = i64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        if *c < 0 {
            return Err(FormatError::Negative(c.to_string()));
        }
    }
    let tally = Tally::from_counts(counts).expect("counts are non-negative");
    check_possible(&Summary::unweighted(tally))?;
    Ok(tally)
}

fn decode_with(bytes: &[u8], minimal_varints: bool) -> Result<Summary, FormatError> {
    let (&version, rest) = bytes.split_first().ok_or_else(|| FormatError::Empty)?;
    if version != VERSION {
        return Err(FormatError::UnknownVersion(version.to_string()));
    }
    let (&flags, mut rest) = rest.split_first().ok_or_else(|| FormatError::Truncated)?;
    if flags & !WEIGHTED != 0 {
        return Err(FormatError::UnknownFlags(flags));
    }
    let mut counts = [0i64; ANSWERS];
    for count in counts.iter_mut() {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let (&byte, tail) = rest.split_first().ok_or_else(|| FormatError::Truncated)?;
            rest = tail;
            let bits = u64::from(byte & 0x7f);
            if shift >= 64 || (shift == 63 && bits > 1) {
                return Err(FormatError::BadVarint);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                // a last byte of 0 after others adds nothing: a longer form of a smaller number
                if minimal_varints && byte == 0 && shift > 0 {
                    return Err(FormatError::NonMinimalVarint);
                }
                break;
            }
            shift += 7;
        }
        *count = i64::try_from(value).map_err(|_| FormatError::Overflow(value.to_string()))?;
    }
    let weights = if flags & WEIGHTED != 0 {
        let mut values = [0f64; ANSWERS + 1];
        for v in values.iter_mut() {
            if rest.len() < 8 {
                return Err(FormatError::Truncated);
            }
            let (head, tail) = rest.split_at(8);
            *v = f64::from_le_bytes(head.try_into().expect("8 bytes"));
            rest = tail;
        }
        Some(weights_from(values)?)
    } else {
        None
    };
    if !rest.is_empty() {
        return Err(FormatError::TrailingBytes(rest.len()));
    }
    checked(counts, weights)
}

pub(crate) fn weights_from(values: [f64; ANSWERS + 1]) -> Result<Weights, FormatError> {
    if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        return Err(FormatError::BadWeight(shown(*bad)));
    }
    // + 0.0 turns -0.0 into 0.0, so equal summaries have one encoding (and one hash)
    let values = values.map(|v| v + 0.0);
    Ok(Weights {
        sums: values[..ANSWERS].try_into().expect("11 sums"),
        squares: values[ANSWERS],
    })
}

/// A summary from validated parts: weight only where there are answers. Every decoder (binary,
/// text, JSON) ends here, so a rule about a summary's contents is written once.
pub(crate) fn checked(
    counts: [i64; ANSWERS],
    weights: Option<Weights>,
) -> Result<Summary, FormatError> {
    let tally = Tally::from_counts(counts).expect("counts are non-negative");
    if let Some(w) = &weights {
        if let Some(answer) = (0..ANSWERS).find(|&a| counts[a] == 0 && w.sums[a] != 0.0) {
            return Err(FormatError::WeightWithoutAnswers(answer));
        }
    }
    Ok(Summary { tally, weights })
}

/// The text form of `summary`.
pub fn to_text(summary: &Summary) -> String {
    let counts: Vec<String> = summary.tally.counts().iter().map(i64::to_string).collect();
    let mut text = format!("v{VERSION}:{}", counts.join(","));
    if let Some(w) = &summary.weights {
        let sums: Vec<String> = w.sums.iter().map(f64::to_string).collect();
        text += &format!(";weights={};squares={}", sums.join(","), w.squares);
    }
    text
}

/// Parse the text form, validating everything including [`check_possible`] (text always
/// comes from outside). Spaces around counts are allowed.
pub fn parse_text(text: &str) -> Result<Summary, FormatError> {
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
    let (body, weights) = match body.split_once(';') {
        None => (body, None),
        Some((counts, weighted)) => (counts, Some(parse_weights(weighted)?)),
    };
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
    let summary = checked(counts, weights)?;
    check_possible(&summary)?;
    Ok(summary)
}

/// `weights=w0,...,w10;squares=s`
fn parse_weights(text: &str) -> Result<Weights, FormatError> {
    let bad = || FormatError::BadWeights(shorten(text));
    let (sums, squares) = text.split_once(';').ok_or_else(bad)?;
    let sums = sums.trim().strip_prefix("weights=").ok_or_else(bad)?;
    let squares = squares.trim().strip_prefix("squares=").ok_or_else(bad)?;
    let fields: Vec<&str> = sums
        .split(',')
        .map(str::trim)
        .chain([squares.trim()])
        .collect();
    if fields.len() != ANSWERS + 1 {
        return Err(FormatError::WrongCount(fields.len() - 1));
    }
    let mut values = [0f64; ANSWERS + 1];
    for (v, field) in values.iter_mut().zip(fields) {
        // Rust's float syntax, minus the words (inf, NaN) that are never a weight
        if field.is_empty()
            || field
                .bytes()
                .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
        {
            return Err(FormatError::BadWeight(shorten(field)));
        }
        *v = field
            .parse()
            .map_err(|_| FormatError::BadWeight(shorten(field)))?;
    }
    weights_from(values)
}

/// A double as a message shows it: plain when that is short, else in exponent form.
fn shown(v: f64) -> String {
    if v == 0.0 || (1e-4..1e15).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// At most 40 characters of untrusted input in a message.
pub(crate) fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(counts: [i64; ANSWERS]) -> Summary {
        Summary::unweighted(Tally::from_counts(counts).unwrap())
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
        let t = tally([i64::MAX - (1 << 62) - 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 << 62]);
        assert_eq!(t.tally.responses(), i128::from(i64::MAX));
        assert_eq!(decode(&encode(&t)), Ok(t));
        assert_eq!(decode_received(&encode(&t)), Ok(t));
        assert_eq!(parse_text(&to_text(&t)), Ok(t));
    }

    #[test]
    fn more_responses_than_bigint_holds_only_read_back_when_stored() {
        // every count fits, their sum does not: 0.1.0 accepted it as text, so a stored one
        // still reads, but it no longer comes in
        let t = tally([i64::MAX, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let too_many = FormatError::TooManyResponses("9223372036854775808".into());
        assert_eq!(decode(&encode(&t)), Ok(t));
        assert_eq!(decode_received(&encode(&t)), Err(too_many.clone()));
        assert_eq!(parse_text(&to_text(&t)), Err(too_many.clone()));
        assert_eq!(
            too_many.to_string(),
            "the counts add up to 9223372036854775808 responses, more than bigint holds"
        );
        let mut state = [0u8; 88];
        state[..8].copy_from_slice(&i64::MAX.to_le_bytes());
        state[80] = 1;
        assert_eq!(decode_state(&state), Err(too_many));
    }

    #[test]
    fn non_minimal_varints_are_read_when_stored_and_rejected_when_received() {
        // 5 written as [0x85, 0x00]: two bytes for a one-byte number
        let mut bytes = vec![1, 0, 0x85, 0x00];
        bytes.extend([0; 10]);
        let five = tally([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(decode(&bytes), Ok(five));
        assert_eq!(decode_received(&bytes), Err(FormatError::NonMinimalVarint));
        // 0 as [0x80, 0x00], and 128 as [0x80, 0x81, 0x00]
        let mut zero = vec![1, 0, 0x80, 0x00];
        zero.extend([0; 10]);
        assert_eq!(decode_received(&zero), Err(FormatError::NonMinimalVarint));
        let mut padded = vec![1, 0, 0x80, 0x81, 0x00];
        padded.extend([0; 10]);
        assert_eq!(decode_received(&padded), Err(FormatError::NonMinimalVarint));
        // the encoder writes the minimal forms, which are accepted: 128 = [0x80, 0x01]
        let mut minimal = vec![1, 0, 0x80, 0x01];
        minimal.extend([0; 10]);
        assert_eq!(encode(&decode_received(&minimal).unwrap()), minimal);
    }

    fn weighted_text(counts: &str, sums: &str, squares: &str) -> String {
        format!("v1:{counts};weights={sums};squares={squares}")
    }

    #[test]
    fn impossible_sums_of_squares_are_rejected_in_text_and_binary() {
        // one answer 9 of weight 2 must have squares 4; 1 would mean n_eff = 4 from 1 answer
        let counts = "0,0,0,0,0,0,0,0,0,1,0";
        let sums = "0,0,0,0,0,0,0,0,0,2,0";
        let good = parse_text(&weighted_text(counts, sums, "4")).unwrap();
        assert_eq!(good.sample().unwrap().n, 1.0);
        let impossible = FormatError::ImpossibleSquares {
            squares: "1".into(),
            low: "4".into(),
            high: "4".into(),
        };
        assert_eq!(
            parse_text(&weighted_text(counts, sums, "1")),
            Err(impossible.clone())
        );
        assert_eq!(
            impossible.to_string(),
            "sum of squared weights 1 is impossible for these weight sums: it must lie between \
             4 (sum of W_k^2/n_k) and 4 (sum of W_k^2)"
        );
        // the same in binary: stored reads it (0.1.0 could have stored it), received does not
        let mut bad = good;
        bad.weights.as_mut().unwrap().squares = 1.0;
        assert_eq!(decode(&encode(&bad)), Ok(bad));
        assert_eq!(decode_received(&encode(&bad)), Err(impossible));
        // two answers 9 weighing 3 in all: squares between 9/2 and 9
        let counts = "0,0,0,0,0,0,0,0,0,2,0";
        let sums = "0,0,0,0,0,0,0,0,0,3,0";
        for ok in ["4.5", "5", "9"] {
            assert!(parse_text(&weighted_text(counts, sums, ok)).is_ok(), "{ok}");
        }
        for no in ["4.4", "9.1", "0", "1e300"] {
            assert!(
                matches!(
                    parse_text(&weighted_text(counts, sums, no)),
                    Err(FormatError::ImpossibleSquares { .. })
                ),
                "{no}"
            );
        }
        // no weight at all: squares must be 0
        let zero = "0,0,0,0,0,0,0,0,0,0,0";
        assert!(parse_text(&weighted_text(counts, zero, "0")).is_ok());
        assert!(parse_text(&weighted_text(counts, zero, "1")).is_err());
    }

    #[test]
    fn parallel_state_bytes_are_checked() {
        let t = Tally::from_counts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).unwrap();
        assert_eq!(decode_state(&t.to_le_bytes()), Ok(t));
        assert_eq!(
            decode_state(&[0; 87]),
            Err(FormatError::WrongStateLength(87))
        );
        assert_eq!(decode_state(&[]), Err(FormatError::WrongStateLength(0)));
        let mut negative = t.to_le_bytes();
        negative[8 * 4 + 7] = 0xff;
        assert!(matches!(
            decode_state(&negative),
            Err(FormatError::Negative(_))
        ));
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
            Ok(Summary::default())
        );
    }
}
