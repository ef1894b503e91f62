//! A fuzz harness for every decoder of untrusted input, on stable Rust with no dependency: a
//! seeded generator of valid encodings, mutations of them (bit flips, truncation, splices,
//! boundary numbers, huge, negative and non-minimal varints, odd floats, odd whitespace and
//! unicode in text) and random inputs. For each case it checks:
//! - no panic (each case runs under `catch_unwind`);
//! - a rejection is a typed error (counted by kind) with a message that names the problem;
//! - an accepted input round-trips: text -> value -> text -> value, bytes -> value -> bytes,
//!   the bytes equal to the input up to the one normalisation the format has (-0 weights to 0);
//! - an accepted summary is possible: its effective sample size is not above its answer count,
//!   and every accessor and statistic on it returns without panicking.
//!
//! Run: `scripts/fuzz.sh [CASES]` (default 1,000,000 per decoder), which runs the ignored test
//! below with NPS_FUZZ_CASES and NPS_FUZZ_SEED. Adding a decoder is one entry in [`decoders`].

use crate::stats::Method;
use crate::tally::{Tally, ANSWERS};
use crate::weights::{Summary, Weights};
use crate::{encoding, json};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// splitmix64: small, fast, and the same sequence for the same seed on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// 0..n (n > 0)
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What one decoder made of one input.
enum Outcome {
    Accepted,
    /// The kind of error (its variant) and its message.
    Rejected(String, String),
    /// Accepted, but a round trip or an invariant failed: a bug.
    Broken(String),
}

/// A decoder under test: how to make valid inputs, how to mutate them, how to check one.
struct Decoder {
    name: &'static str,
    seed: fn(&mut Rng) -> Vec<u8>,
    mutate: fn(&mut Rng, Vec<u8>, &[u8]) -> Vec<u8>,
    check: fn(&[u8]) -> Outcome,
}

/// Every decoder of untrusted input, as the SQL layer calls it.
fn decoders() -> Vec<Decoder> {
    vec![
        Decoder {
            name: "text (nps_summary_in)",
            seed: |rng| encoding::to_text(&random_summary(rng)).into_bytes(),
            mutate: mutate_text,
            check: |input| check_text(input, encoding::parse_text, encoding::to_text),
        },
        Decoder {
            name: "binary (nps_summary_recv)",
            seed: |rng| encoding::encode(&random_summary(rng)),
            mutate: mutate_binary,
            check: check_binary,
        },
        Decoder {
            // the state of rollup and the weighted aggregates is a summary's binary form;
            // serialize writes states that are often empty or unweighted-empty
            name: "state (nps_summary_deserialize)",
            seed: |rng| {
                let s = if rng.chance(20) {
                    Summary::default()
                } else {
                    random_summary(rng)
                };
                encoding::encode(&s)
            },
            mutate: mutate_binary,
            check: check_binary,
        },
        Decoder {
            name: "state (nps_deserialize)",
            seed: |rng| random_summary(rng).tally.to_le_bytes().to_vec(),
            mutate: mutate_state,
            check: check_state,
        },
        Decoder {
            // what a jsonb document becomes when cast to nps_summary (jsonb_out's text)
            name: "json (jsonb::nps_summary)",
            seed: |rng| json::to_json(&random_summary(rng)).to_string().into_bytes(),
            mutate: mutate_text,
            check: |input| check_text(input, json::parse_json, |s| json::to_json(s).to_string()),
        },
    ]
}

// ---- valid inputs ----------------------------------------------------------------------------

const BOUNDARY_COUNTS: [i64; 12] = [
    0,
    1,
    127,
    128,
    16383,
    16384,
    (1 << 35) - 1,
    1 << 56,
    (1 << 62) - 1,
    1 << 62,
    i64::MAX - 1,
    i64::MAX,
];

fn random_count(rng: &mut Rng) -> i64 {
    match rng.below(4) {
        0 => 0,
        1 => rng.below(200) as i64,
        2 => (rng.next() >> rng.below(64)) as i64 & i64::MAX,
        _ => *rng.pick(&BOUNDARY_COUNTS),
    }
}

const ODD_WEIGHTS: [f64; 10] = [
    0.0,
    1.0,
    0.1,
    1.0 / 3.0,
    1e-300,
    5e-324,
    1e-160,
    1e150,
    2.5,
    1e6,
];

fn random_weight(rng: &mut Rng) -> f64 {
    if rng.chance(50) {
        *rng.pick(&ODD_WEIGHTS)
    } else {
        (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi(rng.below(12) as i32 - 4)
    }
}

/// A summary some answers could have: random counts whose sum fits in bigint, and for a
/// weighted one weight sums with a sum of squares inside its bounds.
fn random_summary(rng: &mut Rng) -> Summary {
    let mut counts = [0i64; ANSWERS];
    let mut left = i64::MAX;
    for c in counts.iter_mut() {
        *c = random_count(rng).min(left);
        left -= *c;
    }
    let tally = Tally::from_counts(counts).expect("non-negative");
    let weights = rng.chance(50).then(|| {
        let sums = counts.map(|n| {
            if n == 0 {
                0.0
            } else {
                // a typical weight times the answers, kept finite
                (random_weight(rng) * n as f64).min(1e150)
            }
        });
        let mut w = Weights { sums, squares: 0.0 };
        let (low, high) = w.squares_bounds(&tally);
        let t = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        w.squares = match rng.below(3) {
            0 => low,
            1 => high,
            _ => low + t * (high - low),
        };
        w
    });
    Summary { tally, weights }
}

// ---- mutations -------------------------------------------------------------------------------

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// Odd varints: non-minimal, longer than 64 bits, never ending, 2^63 and beyond.
fn odd_varint(rng: &mut Rng) -> Vec<u8> {
    match rng.below(6) {
        0 => {
            let mut v = varint(rng.below(300) as u64);
            let last = v.len() - 1;
            v[last] |= 0x80;
            v.extend(std::iter::repeat_n(0x80, rng.below(3)));
            v.push(0); // padded: non-minimal
            v
        }
        1 => vec![0xff; 1 + rng.below(12)],
        2 => varint(1 << 63),
        3 => varint(u64::MAX),
        4 => {
            let mut v = vec![0x80; 9];
            v.push(rng.below(256) as u8);
            v
        }
        _ => varint(*rng.pick(&BOUNDARY_COUNTS) as u64),
    }
}

const ODD_FLOATS: [f64; 12] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -0.0,
    -1.0,
    -5e-324,
    5e-324,
    f64::MIN_POSITIVE,
    f64::MAX,
    1e308,
    1.3407807929942596e154,
    4.0,
];

/// Byte-level mutations shared by the binary forms.
fn mutate_bytes(rng: &mut Rng, mut b: Vec<u8>, other: &[u8]) -> Vec<u8> {
    for _ in 0..1 + rng.below(3) {
        let len = b.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = *rng.pick(&[0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff]);
            }
            2 => b.truncate(rng.below(len + 1)),
            3 => {
                let n = rng.below(12);
                b.extend((0..n).map(|_| rng.next() as u8));
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(8)).min(len);
                b.drain(i..j);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(8)).min(len);
                let copy = b[i..j].to_vec();
                b.splice(i..i, copy);
            }
            6 => {
                // splice: a prefix of this valid encoding, a suffix of another
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                b.truncate(cut);
                b.extend_from_slice(&other[from..]);
            }
            7 if len >= 8 => {
                let at = rng.below(len - 7);
                b[at..at + 8].copy_from_slice(&rng.pick(&ODD_FLOATS).to_le_bytes());
            }
            8 if len > 2 => {
                let at = 2 + rng.below(len - 2);
                let v = odd_varint(rng);
                b.splice(at..at, v);
            }
            _ => {
                let i = rng.below(len + 1);
                b.insert(i, rng.next() as u8);
            }
        }
    }
    b
}

fn mutate_binary(rng: &mut Rng, b: Vec<u8>, other: &[u8]) -> Vec<u8> {
    if rng.chance(10) {
        // header bytes: versions and flags
        let mut b = b;
        if b.len() >= 2 {
            let i = rng.below(2);
            b[i] = rng.below(256) as u8;
        }
        return b;
    }
    mutate_bytes(rng, b, other)
}

/// The nps state is 88 bytes of 11 little-endian i64: mutate whole counts too.
fn mutate_state(rng: &mut Rng, mut b: Vec<u8>, other: &[u8]) -> Vec<u8> {
    if b.len() == 88 && rng.chance(50) {
        let i = rng.below(ANSWERS) * 8;
        let v = *rng.pick(&[i64::MIN, -1, 0, 1, i64::MAX, i64::MAX / 2 + 1, 1 << 62]);
        b[i..i + 8].copy_from_slice(&v.to_le_bytes());
        return b;
    }
    mutate_bytes(rng, b, other)
}

const ODD_NUMBERS: [&str; 34] = [
    "0",
    "-0",
    "00",
    "007",
    "+1",
    "-1",
    "1.5",
    "1.0",
    ".5",
    "5.",
    "1e3",
    "1E-3",
    "1e308",
    "1e309",
    "1e-400",
    "-1e-400",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "0x10",
    "1_000",
    "١٢",
    "９",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999999999",
    "4.9406564584124654e-324",
    "1.7976931348623157e308",
    "",
    " ",
    "1 2",
];

const ODD_SPACES: [&str; 10] = [
    " ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "\u{200b}", "\u{feff}", "\u{2028}", "\u{0}",
];

const SEPARATORS: [&str; 10] = [
    ",", ";", ":", "=", ",,", ";;", "weights=", "squares=", "v1:", "V1:",
];

/// Character-level mutations of a text form (or any text format: JSON too).
fn mutate_text(rng: &mut Rng, b: Vec<u8>, other: &[u8]) -> Vec<u8> {
    if rng.chance(5) {
        return mutate_bytes(rng, b, other); // invalid UTF-8 now and then
    }
    let mut s = String::from_utf8(b).unwrap_or_default();
    for _ in 0..1 + rng.below(3) {
        let bounds: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
        let at = *rng.pick(&bounds);
        match rng.below(9) {
            0 | 1 => {
                // replace a number (a run of digits, '.', 'e', '-') with an odd one
                let starts: Vec<usize> = s
                    .char_indices()
                    .filter(|&(i, c)| {
                        c.is_ascii_digit()
                            && s[..i]
                                .chars()
                                .last()
                                .is_none_or(|p| !p.is_ascii_alphanumeric())
                    })
                    .map(|(i, _)| i)
                    .collect();
                if starts.is_empty() {
                    continue;
                }
                let start = *rng.pick(&starts);
                let end = s[start..]
                    .find(|c: char| !(c.is_ascii_digit() || ".eE-+".contains(c)))
                    .map_or(s.len(), |e| start + e);
                s.replace_range(start..end, *rng.pick(&ODD_NUMBERS));
            }
            2 => s.insert_str(at, *rng.pick(&ODD_SPACES)),
            3 => s.insert_str(at, *rng.pick(&SEPARATORS)),
            4 => {
                let end = bounds.iter().copied().find(|&e| e > at).unwrap_or(at);
                s.replace_range(at..end, "");
            }
            5 => s.truncate(at),
            6 => {
                // splice with another valid text
                let o = String::from_utf8_lossy(other).into_owned();
                let cuts: Vec<usize> = (0..=o.len()).filter(|&i| o.is_char_boundary(i)).collect();
                let from = *rng.pick(&cuts);
                s.truncate(at);
                s.push_str(&o[from..]);
            }
            7 => {
                let c = char::from_u32(rng.below(0x3_0000) as u32).unwrap_or('\u{fffd}');
                s.insert(at, c);
            }
            _ => {
                // repeat a piece (an extra field, an extra section)
                let end = bounds[bounds.len() - 1 - rng.below(bounds.len().min(12))];
                if end > at {
                    let piece = s[at..end].to_string();
                    s.insert_str(at, &piece);
                }
            }
        }
    }
    s.into_bytes()
}

// ---- checks ----------------------------------------------------------------------------------

/// The variant name of an error: its Debug form up to the first '(' or '{'.
fn kind(e: &impl std::fmt::Debug) -> String {
    let d = format!("{e:?}");
    d.split(['(', ' ', '{']).next().unwrap_or(&d).to_string()
}

fn rejected<E: std::fmt::Debug + std::fmt::Display>(e: E) -> Outcome {
    Outcome::Rejected(kind(&e), e.to_string())
}

/// An accepted summary must be possible and usable: every accessor and statistic runs, and the
/// effective sample size is at most the number of answers (what the squares rule guarantees).
fn check_usable(s: &Summary) -> Result<(), String> {
    let responses = s
        .tally
        .checked_responses()
        .ok_or("accepted more responses than bigint holds")?;
    let _ = (
        s.tally.nps_fraction(),
        s.tally.nps(),
        s.net_promoters(),
        s.base(),
    );
    let _ = crate::tally::sparkline(s.tally.counts());
    if let Some(w) = s.weights.filter(|w| w.squares >= 1e-290) {
        // Kish's n_eff = W^2 / S, before any clamping, within the rule's tolerance of n
        let n_eff = w.total() * (w.total() / w.squares); // W^2 alone may overflow
        if n_eff > responses as f64 * (1.0 + 3e-6) {
            return Err(format!(
                "effective sample size {n_eff} above {responses} answers"
            ));
        }
    }
    if let Some(sample) = s.sample() {
        if sample.n > responses as f64 {
            return Err(format!(
                "sample size {} above {responses} answers",
                sample.n
            ));
        }
        let _ = (sample.nps(), sample.stderr(), sample.margin(0.95));
        let _ = sample.interval(0.99, Method::Wald);
        let _ = sample.interval(0.8, Method::AdjustedWald);
        let _ = crate::stats::compare(&sample, &sample, 0.95, Method::AdjustedWald);
    }
    let mut twice = *s;
    let _ = twice.merge(s);
    let mut none = *s;
    none.subtract(s)
        .map_err(|e| format!("s - s failed: {e:?}"))?;
    if !none.is_empty() {
        return Err("s - s is not empty".into());
    }
    Ok(())
}

fn check_text<E: std::fmt::Debug + std::fmt::Display>(
    input: &[u8],
    parse: fn(&str) -> Result<Summary, E>,
    print: fn(&Summary) -> String,
) -> Outcome {
    let Ok(text) = std::str::from_utf8(input) else {
        return Outcome::Rejected("NotUtf8".into(), "not UTF-8".into());
    };
    let value = match parse(text) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    let printed = print(&value);
    match parse(&printed) {
        Ok(again) if again == value && print(&again) == printed => {}
        other => return Outcome::Broken(format!("text round trip: {printed:?} -> {other:?}")),
    }
    match check_usable(&value) {
        Ok(()) => Outcome::Accepted,
        Err(e) => Outcome::Broken(e),
    }
}

fn check_binary(input: &[u8]) -> Outcome {
    let value = match encoding::decode_received(input) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    let bytes = encoding::encode(&value);
    // the one normalisation: a weight of -0 is written as 0 (the last 12 doubles)
    let mut expected = input.to_vec();
    if value.weights.is_some() {
        let floats = expected.len() - 8 * (ANSWERS + 1);
        for chunk in expected[floats..].chunks_exact_mut(8) {
            let v = f64::from_le_bytes(chunk.try_into().expect("8 bytes")) + 0.0;
            chunk.copy_from_slice(&v.to_le_bytes());
        }
    }
    if bytes != expected {
        return Outcome::Broken(format!("bytes round trip: {input:02x?} -> {bytes:02x?}"));
    }
    if encoding::decode_received(&bytes) != Ok(value) || encoding::decode(&bytes) != Ok(value) {
        return Outcome::Broken(format!("value round trip of {input:02x?}"));
    }
    match check_usable(&value) {
        Ok(()) => Outcome::Accepted,
        Err(e) => Outcome::Broken(e),
    }
}

fn check_state(input: &[u8]) -> Outcome {
    match encoding::decode_state(input) {
        Err(e) => rejected(e),
        Ok(t) if t.to_le_bytes() != input => Outcome::Broken(format!("state {input:02x?}")),
        Ok(t) => match check_usable(&Summary::unweighted(t)) {
            Ok(()) => Outcome::Accepted,
            Err(e) => Outcome::Broken(e),
        },
    }
}

// ---- the run ---------------------------------------------------------------------------------

#[derive(Default)]
struct Figures {
    cases: u64,
    accepted: u64,
    rejected: BTreeMap<String, u64>,
    panics: Vec<String>,
    broken: Vec<String>,
}

fn run(decoder: &Decoder, cases: u64, seed: u64) -> Figures {
    let mut rng = Rng::new(seed);
    let mut figures = Figures::default();
    let mut pool: Vec<Vec<u8>> = (0..64).map(|_| (decoder.seed)(&mut rng)).collect();
    for case in 0..cases {
        let input = match rng.below(20) {
            0..=6 => (decoder.seed)(&mut rng),
            7..=17 => {
                let base = rng.pick(&pool).clone();
                let other = rng.pick(&pool).clone();
                (decoder.mutate)(&mut rng, base, &other)
            }
            _ => (0..rng.below(40)).map(|_| rng.next() as u8).collect(),
        };
        figures.cases += 1;
        match catch_unwind(AssertUnwindSafe(|| (decoder.check)(&input))) {
            Ok(Outcome::Accepted) => {
                figures.accepted += 1;
                if case % 16 == 0 {
                    let slot = rng.below(pool.len());
                    pool[slot] = input; // keep interesting accepted inputs to mutate further
                }
            }
            Ok(Outcome::Rejected(kind, message)) => {
                *figures.rejected.entry(kind.clone()).or_default() += 1;
                if message.is_empty() || message.len() > 400 {
                    figures.broken.push(format!("{kind}: message {message:?}"));
                }
            }
            Ok(Outcome::Broken(why)) => figures.broken.push(why),
            Err(_) => figures.panics.push(format!("{input:02x?}")),
        }
    }
    figures
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Every decoder, NPS_FUZZ_CASES cases each (default 1,000,000), seed NPS_FUZZ_SEED.
#[test]
#[ignore = "long: run with scripts/fuzz.sh [CASES]"]
fn fuzz_decoders() {
    let cases = env_u64("NPS_FUZZ_CASES", 1_000_000);
    let seed = env_u64("NPS_FUZZ_SEED", 0x6e70_735f_6578_74);
    let quiet_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // panics are counted, not printed per case
    let mut failed = false;
    println!("fuzz: {cases} cases per decoder, seed {seed}");
    for (i, decoder) in decoders().iter().enumerate() {
        let started = std::time::Instant::now();
        let f = run(decoder, cases, seed.wrapping_add(i as u64));
        let rejected: u64 = f.rejected.values().sum();
        println!(
            "{:<34} cases {:>9}  accepted {:>9}  rejected {:>9}  panics {}  broken {}  ({:.1} s)",
            decoder.name,
            f.cases,
            f.accepted,
            rejected,
            f.panics.len(),
            f.broken.len(),
            started.elapsed().as_secs_f64()
        );
        let kinds: Vec<String> = f.rejected.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("    rejections by kind: {}", kinds.join(", "));
        for p in f.panics.iter().take(5) {
            println!("    PANIC on {p}");
        }
        for b in f.broken.iter().take(5) {
            println!("    BROKEN: {b}");
        }
        failed |= !f.panics.is_empty() || !f.broken.is_empty() || f.accepted == 0 || rejected == 0;
    }
    std::panic::set_hook(quiet_hook);
    assert!(
        !failed,
        "fuzzing found panics or broken round trips (see above)"
    );
}

/// The harness itself: it finds a planted bug, and its generator makes possible summaries.
#[test]
fn the_harness_catches_what_it_is_for() {
    let mut rng = Rng::new(1);
    for _ in 0..2000 {
        let s = random_summary(&mut rng);
        assert_eq!(encoding::decode_received(&encoding::encode(&s)), Ok(s));
        assert_eq!(encoding::parse_text(&encoding::to_text(&s)), Ok(s));
    }
    let panicking = Decoder {
        name: "planted panic",
        seed: |rng| encoding::encode(&random_summary(rng)),
        mutate: mutate_binary,
        check: |input| {
            assert!(input.len() != 5, "planted");
            check_binary(input)
        },
    };
    let lossy = Decoder {
        name: "planted lossy writer",
        seed: |rng| encoding::to_text(&random_summary(rng)).into_bytes(),
        mutate: mutate_text,
        check: |input| {
            check_text(input, encoding::parse_text, |_| {
                "v1:0,0,0,0,0,0,0,0,0,0,1".into()
            })
        },
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let p = run(&panicking, 3000, 7);
    let l = run(&lossy, 300, 7);
    std::panic::set_hook(hook);
    assert!(
        !p.panics.is_empty(),
        "a planted panic must be caught and counted"
    );
    assert!(
        !l.broken.is_empty(),
        "a lossy writer must fail the round trip"
    );
    // short real runs: no panic, both outcomes seen
    for d in decoders() {
        let f = run(&d, 3000, 11);
        assert!(
            f.panics.is_empty() && f.broken.is_empty(),
            "{}: {:?}",
            d.name,
            f.broken
        );
        assert!(f.accepted > 0 && !f.rejected.is_empty(), "{}", d.name);
    }
}
