//! The JSON form of an `nps_summary` (pure Rust; nothing here may panic on input).
//!
//! ```text
//! {"counts": {"0": c0, "1": c1, ..., "10": c10}}                       unweighted
//! {"counts": {...}, "weights": {"0": w0, ..., "10": w10}, "squares": s}  weighted
//! ```
//!
//! `counts` holds how many answers gave each answer 0..=10, as JSON integers from 0 to
//! 9223372036854775807 (no fraction, no exponent: `3.0` and `3e0` are refused rather than
//! guessed at); `weights` the weight sums per answer and `squares` the sum of squared weights,
//! as JSON numbers. The schema is strict: every key of `counts` (and of `weights`) must be
//! there, no other key is allowed, and `weights` and `squares` come together. What a summary's
//! contents must satisfy beyond the shape (no weight on an answer nobody gave, responses within
//! bigint, squares within their bounds) is checked by the same code as the text and binary
//! input (`encoding::checked`, `encoding::check_possible`).

use crate::encoding::{self, shorten, FormatError};
use crate::tally::ANSWERS;
use crate::weights::Summary;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{json, Map, Value};
use std::fmt;
use std::marker::PhantomData;

/// The keys of `counts` and `weights`: the answers.
const KEYS: [&str; ANSWERS] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// Why a JSON document is not a summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all (only reachable from text: jsonb is always valid JSON).
    Syntax(String),
    /// JSON, but not of the summary's shape; the message names the field and the rule.
    Shape(String),
    /// The right shape, but contents no set of answers could produce.
    Contents(FormatError),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(e) => write!(f, "not JSON: {e}"),
            JsonError::Shape(e) => f.write_str(e),
            JsonError::Contents(e) => e.fmt(f),
        }
    }
}

/// The JSON form of `summary`.
pub fn to_json(summary: &Summary) -> Value {
    let per_answer = |values: Vec<Value>| -> Value {
        Value::Object(
            KEYS.iter()
                .map(|k| k.to_string())
                .zip(values)
                .collect::<Map<_, _>>(),
        )
    };
    let counts = per_answer(summary.tally.counts().iter().map(|&c| json!(c)).collect());
    match &summary.weights {
        None => json!({ "counts": counts }),
        Some(w) => json!({
            "counts": counts,
            "weights": per_answer(w.sums.iter().map(|&s| json!(s)).collect()),
            "squares": w.squares,
        }),
    }
}

/// Parse the JSON form from text, validating everything. Like `text::jsonb::nps_summary`: a key
/// given twice keeps its last value, as jsonb keeps it.
pub fn parse_json(text: &str) -> Result<Summary, JsonError> {
    let value: Value = serde_json::from_str(text).map_err(|e| JsonError::Syntax(e.to_string()))?;
    from_json(&value)
}

/// Read a summary from a parsed JSON value, validating everything.
pub fn from_json(value: &Value) -> Result<Summary, JsonError> {
    // from a Value, serde's messages carry no line/column, only what is wrong and where
    let doc = Document::deserialize(value).map_err(|e| JsonError::Shape(e.to_string()))?;
    let weights = match (doc.weights, doc.squares) {
        (None, None) => None,
        (Some(sums), Some(squares)) => {
            let mut values = [0.0; ANSWERS + 1];
            values[..ANSWERS].copy_from_slice(&sums.0.map(|w| w.0));
            values[ANSWERS] = squares.0;
            Some(encoding::weights_from(values).map_err(JsonError::Contents)?)
        }
        (Some(_), None) => {
            return Err(shape(
                "\"weights\" needs \"squares\", the sum of squared weights",
            ))
        }
        (None, Some(_)) => {
            return Err(shape(
                "\"squares\" needs \"weights\", the weight sums per answer",
            ))
        }
    };
    // JSON always comes from outside: the same rules as text and binary input
    let summary =
        encoding::checked(doc.counts.0.map(|c| c.0), weights).map_err(JsonError::Contents)?;
    encoding::check_possible(&summary).map_err(JsonError::Contents)?;
    Ok(summary)
}

fn shape(message: &str) -> JsonError {
    JsonError::Shape(message.to_string())
}

/// The whole document; serde's derive gives the messages for missing and unknown fields.
#[derive(serde::Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an nps_summary object {\"counts\": {\"0\": count, ..., \"10\": count}}"
)]
struct Document {
    counts: PerAnswer<Count>,
    weights: Option<PerAnswer<WeightSum>>,
    squares: Option<Squares>,
}

/// What a per-answer field holds, and how its errors name it.
trait Field: Sized {
    /// The field's name in messages (`counts`, `weights`).
    const NAME: &'static str;
    fn from_number(n: &serde_json::Number) -> Result<Self, String>;
}

/// An object with exactly the keys "0".."10", each holding a `T`.
struct PerAnswer<T>([T; ANSWERS]);

impl<'de, T: Field> Deserialize<'de> for PerAnswer<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PerAnswerVisitor(PhantomData))
    }
}

struct PerAnswerVisitor<T>(PhantomData<T>);

impl<'de, T: Field> Visitor<'de> for PerAnswerVisitor<T> {
    type Value = PerAnswer<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with keys \"0\" to \"10\" for \"{}\"", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut slots: [Option<T>; ANSWERS] = Default::default();
        while let Some(key) = map.next_key::<String>()? {
            let Some(answer) = KEYS.iter().position(|k| *k == key) else {
                return Err(de::Error::custom(format!(
                    "\"{}\" has no answer \"{}\": its keys are the answers \"0\" to \"10\"",
                    T::NAME,
                    shorten(&key)
                )));
            };
            if slots[answer].is_some() {
                return Err(de::Error::custom(format!(
                    "\"{}\" gives answer \"{key}\" twice",
                    T::NAME
                )));
            }
            let value: Value = map.next_value()?;
            let parsed = match &value {
                Value::Number(n) => T::from_number(n),
                other => Err(format!("is {}, not a number", kind(other))),
            };
            slots[answer] =
                Some(parsed.map_err(|rule| {
                    de::Error::custom(format!("\"{}\".\"{key}\" {rule}", T::NAME))
                })?);
        }
        if let Some(missing) = slots.iter().position(Option::is_none) {
            return Err(de::Error::custom(format!(
                "\"{}\" lacks answer \"{missing}\": all 11 answers \"0\" to \"10\" are required",
                T::NAME
            )));
        }
        Ok(PerAnswer(slots.map(|s| s.expect("every slot checked"))))
    }
}

/// A count: a JSON integer from 0 to i64::MAX.
struct Count(i64);

impl Field for Count {
    const NAME: &'static str = "counts";

    fn from_number(n: &serde_json::Number) -> Result<Count, String> {
        const RULE: &str = "counts are whole numbers from 0 to 9223372036854775807";
        if let Some(v) = n.as_u64() {
            return i64::try_from(v)
                .map(Count)
                .map_err(|_| format!("is {v}, out of range: {RULE}"));
        }
        if let Some(v) = n.as_i64() {
            return Err(format!("is {v}, negative: {RULE}"));
        }
        // a float: a fraction or an exponent was written (or a number beyond 64 bits)
        let v = n.as_f64().unwrap_or(f64::NAN);
        if v < 0.0 {
            Err(format!("is {n}, negative: {RULE}"))
        } else if v.fract() == 0.0 && v >= 9.2e18 {
            Err(format!("is {n}, out of range: {RULE}"))
        } else {
            Err(format!(
                "is {n}, not a JSON integer: {RULE}, written without a fraction or exponent"
            ))
        }
    }
}

/// A weight sum: a finite number at least 0.
struct WeightSum(f64);

impl Field for WeightSum {
    const NAME: &'static str = "weights";

    fn from_number(n: &serde_json::Number) -> Result<WeightSum, String> {
        weight(n).map(WeightSum)
    }
}

fn weight(n: &serde_json::Number) -> Result<f64, String> {
    match n.as_f64() {
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("is {n}: weights are finite numbers at least 0")),
    }
}

/// The sum of squared weights.
struct Squares(f64);

impl<'de> Deserialize<'de> for Squares {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => weight(&n)
                .map(Squares)
                .map_err(|rule| de::Error::custom(format!("\"squares\" {rule}"))),
            other => Err(de::Error::custom(format!(
                "\"squares\" is {}, not a number",
                kind(&other)
            ))),
        }
    }
}

/// How a JSON value is described in a message.
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string \"{}\"", shorten(s)),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Tally;
    use crate::weights::Weights;

    fn tally(counts: [i64; ANSWERS]) -> Summary {
        Summary::unweighted(Tally::from_counts(counts).unwrap())
    }

    fn weighted(counts: [i64; ANSWERS], sums: [f64; ANSWERS], squares: f64) -> Summary {
        Summary {
            tally: Tally::from_counts(counts).unwrap(),
            weights: Some(Weights { sums, squares }),
        }
    }

    fn error(text: &str) -> String {
        parse_json(text).expect_err(text).to_string()
    }

    const COUNTS: &str = r#""counts": {"0": 3, "1": 1, "2": 0, "3": 2, "4": 1, "5": 4, "6": 6, "7": 10, "8": 14, "9": 17, "10": 12}"#;

    #[test]
    fn unweighted_form_by_hand() {
        let s = tally([3, 1, 0, 2, 1, 4, 6, 10, 14, 17, 12]);
        assert_eq!(parse_json(&format!("{{{COUNTS}}}")), Ok(s));
        assert_eq!(
            to_json(&s),
            serde_json::from_str::<Value>(&format!("{{{COUNTS}}}")).unwrap()
        );
        // key order and spacing do not matter
        assert_eq!(
            parse_json(
                r#"{"counts":{"10":7,"9":6,"8":5,"7":4,"6":3,"5":2,"4":1,"3":0,"2":0,"1":0,"0":0}}"#
            ),
            Ok(tally([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]))
        );
    }

    #[test]
    fn weighted_form_by_hand() {
        // one answer 10 of weight 2.5 and two answers 3 of weights 0.5 and 1: squares 6.25 + 0.25 + 1
        let s = weighted(
            [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1],
            [0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5],
            7.5,
        );
        let text = r#"{"counts": {"0": 0, "1": 0, "2": 0, "3": 2, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1},
                       "weights": {"0": 0, "1": 0, "2": 0, "3": 1.5, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 2.5},
                       "squares": 7.5}"#;
        assert_eq!(parse_json(text), Ok(s));
        assert_eq!(to_json(&s)["weights"]["10"], json!(2.5));
        assert_eq!(to_json(&s)["squares"], json!(7.5));
    }

    #[test]
    fn round_trips_are_exact() {
        let cases = [
            Summary::default(),
            tally([3, 1, 0, 2, 1, 4, 6, 10, 14, 17, 12]),
            // responses add up to exactly i64::MAX, the most a summary from outside may hold
            tally([i64::MAX - (1 << 62) - 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 << 62]),
            weighted(
                [1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 2],
                // weights whose shortest decimals are long, tiny and huge
                [
                    0.1,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    1.0 / 3.0 + 2.0,
                    0.0,
                    0.0,
                    1e-300 + 1e150,
                ],
                // within the bounds of the squares, 5e299 ..= 1e300 (the large weight dominates)
                1.0 / 7.0 * 5.25e300,
            ),
            weighted([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5], [0.0; 11], 0.0),
        ];
        for s in cases {
            let text = serde_json::to_string(&to_json(&s)).unwrap();
            assert_eq!(parse_json(&text), Ok(s), "{text}");
            assert_eq!(from_json(&to_json(&s)), Ok(s));
        }
    }

    #[test]
    fn shape_errors_name_the_field_and_the_rule() {
        let zeros = r#"{"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}"#;
        let with = |key: &str, value: &str| {
            format!(
                r#"{{"counts": {}}}"#,
                zeros.replace(&format!("\"{key}\": 0"), &format!("\"{key}\": {value}"))
            )
        };
        let cases = [
            (
                with("5", "-1"),
                r#""counts"."5" is -1, negative: counts are whole numbers from 0 to 9223372036854775807"#,
            ),
            (
                with("5", "1.5"),
                r#""counts"."5" is 1.5, not a JSON integer: counts are whole numbers from 0 to 9223372036854775807, written without a fraction or exponent"#,
            ),
            (
                with("5", "3.0"),
                r#""counts"."5" is 3.0, not a JSON integer: counts are whole numbers from 0 to 9223372036854775807, written without a fraction or exponent"#,
            ),
            (
                with("5", "-2.5"),
                r#""counts"."5" is -2.5, negative: counts are whole numbers from 0 to 9223372036854775807"#,
            ),
            (
                with("5", "-1e20"),
                r#""counts"."5" is -1e+20, negative: counts are whole numbers from 0 to 9223372036854775807"#,
            ),
            (
                with("10", "9223372036854775808"),
                r#""counts"."10" is 9223372036854775808, out of range: counts are whole numbers from 0 to 9223372036854775807"#,
            ),
            (
                with("10", "100000000000000000000"),
                r#""counts"."10" is 1e+20, out of range: counts are whole numbers from 0 to 9223372036854775807"#,
            ),
            (
                with("0", "\"3\""),
                r#""counts"."0" is the string "3", not a number"#,
            ),
            (with("0", "null"), r#""counts"."0" is null, not a number"#),
            (
                with("0", "[1]"),
                r#""counts"."0" is an array, not a number"#,
            ),
            (
                r#"{"counts": {"0": 0}}"#.to_string(),
                r#""counts" lacks answer "1": all 11 answers "0" to "10" are required"#,
            ),
            (
                format!(r#"{{"counts": {}}}"#, zeros.replace("}", r#", "11": 0}"#)),
                r#""counts" has no answer "11": its keys are the answers "0" to "10""#,
            ),
            (
                format!(
                    r#"{{"counts": {}}}"#,
                    zeros.replace(r#""0": 0,"#, r#""0": 0, "00": 0,"#)
                ),
                r#""counts" has no answer "00": its keys are the answers "0" to "10""#,
            ),
            (
                format!(r#"{{"counts": {zeros}, "total": 0}}"#),
                "unknown field `total`, expected one of `counts`, `weights`, `squares`",
            ),
            ("{}".to_string(), "missing field `counts`"),
            (
                r#"{"counts": [0,0,0,0,0,0,0,0,0,0,0]}"#.to_string(),
                r#"invalid type: sequence, expected an object with keys "0" to "10" for "counts""#,
            ),
            (
                r#""v1:0,0,0,0,0,0,0,0,0,0,0""#.to_string(),
                r#"invalid type: string "v1:0,0,0,0,0,0,0,0,0,0,0", expected an nps_summary object {"counts": {"0": count, ..., "10": count}}"#,
            ),
            (
                format!(r#"{{"counts": {zeros}, "weights": {zeros}}}"#),
                r#""weights" needs "squares", the sum of squared weights"#,
            ),
            (
                format!(r#"{{"counts": {zeros}, "squares": 0}}"#),
                r#""squares" needs "weights", the weight sums per answer"#,
            ),
            (
                format!(r#"{{"counts": {zeros}, "weights": {zeros}, "squares": -1}}"#),
                r#""squares" is -1: weights are finite numbers at least 0"#,
            ),
            (
                format!(r#"{{"counts": {zeros}, "weights": {zeros}, "squares": "1"}}"#),
                r#""squares" is the string "1", not a number"#,
            ),
            (
                format!(
                    r#"{{"counts": {zeros}, "weights": {}, "squares": 0}}"#,
                    zeros.replace(r#""4": 0"#, r#""4": -0.5"#)
                ),
                r#""weights"."4" is -0.5: weights are finite numbers at least 0"#,
            ),
            (
                "{\"counts\": ".to_string(),
                "not JSON: EOF while parsing a value at line 1 column 11",
            ),
            (
                format!(
                    r#"{{"counts": {}}}"#,
                    zeros.replace(r#""1": 0"#, r#""1": 1e400"#)
                ),
                "not JSON: number out of range at line 1 column 30",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(error(&text), message, "{text}");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_in_jsonb() {
        let text = r#"{"counts": {"0": 5, "0": 1, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}}"#;
        assert_eq!(
            parse_json(text),
            Ok(tally([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
        );
    }

    #[test]
    fn contents_are_checked_like_the_other_forms() {
        let zeros = r#"{"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 0}"#;
        // weight on answer 4, which nobody gave
        let text = format!(
            r#"{{"counts": {zeros}, "weights": {}, "squares": 1}}"#,
            zeros.replace(r#""4": 0"#, r#""4": 1"#)
        );
        assert_eq!(
            parse_json(&text),
            Err(JsonError::Contents(FormatError::WeightWithoutAnswers(4)))
        );
        assert_eq!(error(&text), "answer 4 has weight but no answers");
    }

    #[test]
    fn negative_zero() {
        let zeros = r#"{"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0, "10": 1}"#;
        // a weight of -0.0 is 0, stored as 0.0 so that equal summaries have one encoding
        let text = format!(
            r#"{{"counts": {zeros}, "weights": {}, "squares": 0}}"#,
            zeros.replace(r#""10": 1"#, r#""10": -0.0"#)
        );
        let s = parse_json(&text).unwrap();
        assert_eq!(s.weights.unwrap().sums[10].to_bits(), 0.0f64.to_bits());
        // serde_json reads the count -0 as the float -0.0: refused like 0.0 (jsonb never writes it)
        let text = format!(
            r#"{{"counts": {}}}"#,
            zeros.replace(r#""3": 0"#, r#""3": -0"#)
        );
        assert!(
            error(&text).starts_with(r#""counts"."3" is -0.0, not a JSON integer"#),
            "{}",
            error(&text)
        );
    }

    #[test]
    fn arbitrary_input_is_rejected_not_panicked_on() {
        let good =
            serde_json::to_string(&to_json(&tally([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).unwrap();
        for len in 0..good.len() {
            let _ = parse_json(&good[..len]);
        }
        for junk in [
            "",
            "null",
            "[]",
            "{\"counts\": {}}",
            "{\"counts\": null}",
            "\u{0}",
            "{\"counts\": {\"0\": {}}}",
        ] {
            assert!(parse_json(junk).is_err(), "{junk:?}");
        }
        // nesting deeper than serde_json's limit is an error, not a stack overflow
        let deep = format!(
            "{{\"counts\": {}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse_json(&deep).is_err());
    }
}
