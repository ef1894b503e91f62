//! Reading an NPS answer straight from the bytes of a PostgreSQL `numeric`, without copying it
//! or calling numeric arithmetic: the fast path of every numeric input (pure Rust).
//!
//! [`whole_answer`] only ever *accepts*: it returns the answer when the bytes are exactly a whole
//! number 0..=10, and `None` for everything else (9.5, 11, -1, 1e100, NaN, ±Infinity, bytes it
//! does not understand). The caller then takes the slow path through PostgreSQL's own numeric
//! functions, which accepts or raises the error exactly as before this fast path existed.
//!
//! # The layout relied on
//! Private to PostgreSQL's numeric.c (`struct NumericData`), unchanged since 9.1 brought the
//! short form, except for the infinities 14 added beside NaN. After the varlena header (1 byte
//! on disk, 4 in memory; the caller strips it), in native byte order:
//!
//! ```text
//! uint16 header   bits 15..14: 10 short form, 11 special, 00 long form positive, 01 long negative
//! short form      header bit 13 sign (1 = negative), bits 12..7 display scale,
//!                 bit 6 weight sign, bits 5..0 weight (7-bit two's complement: -64..63)
//! long form       header bits 13..0 display scale, then int16 weight
//! special         0xC000 NaN, 0xD000 +Infinity, 0xF000 -Infinity (no digits)
//! then            int16 digits in base 10000, most significant first, each 0..9999
//! ```
//!
//! The value is `sign * sum(digit[i] * 10000^(weight - i))`; the display scale (the `.000` of
//! `10.000`) does not change it. PostgreSQL strips leading and trailing zero digits and stores
//! zero as no digits with weight 0, but nothing here relies on that: any digit string whose value
//! is a whole number 0..=10 is accepted, whatever its zero digits, scale or header form.

use crate::score::Answer;

const SIGN_MASK: u16 = 0xC000;
const LONG_NEGATIVE: u16 = 0x4000;
const SHORT: u16 = 0x8000;
const SPECIAL: u16 = 0xC000;
const SHORT_NEGATIVE: u16 = 0x2000;
const SHORT_WEIGHT_NEGATIVE: u16 = 0x0040;
const SHORT_WEIGHT: u16 = 0x003F;
const NBASE: i16 = 10000;

/// The answer held by the numeric whose bytes (after the varlena header) are `numeric`, when it
/// is a whole number from 0 to 10; `None` for anything else, to be checked the slow way.
#[inline]
pub fn whole_answer(numeric: &[u8]) -> Option<Answer> {
    let (&[h0, h1], rest) = numeric.split_first_chunk::<2>()?;
    let header = u16::from_ne_bytes([h0, h1]);
    let (negative, weight, digits) = match header & SIGN_MASK {
        SPECIAL => return None,
        SHORT => {
            let magnitude = i32::from(header & SHORT_WEIGHT);
            let weight = if header & SHORT_WEIGHT_NEGATIVE != 0 {
                magnitude - 64
            } else {
                magnitude
            };
            (header & SHORT_NEGATIVE != 0, weight, rest)
        }
        sign => {
            let (&[w0, w1], digits) = rest.split_first_chunk::<2>()?;
            let weight = i32::from(i16::from_ne_bytes([w0, w1]));
            (sign == LONG_NEGATIVE, weight, digits)
        }
    };
    if digits.len() % 2 != 0 {
        return None;
    }
    // Only the digit at position `weight` counts units (10000^0); any other non-zero digit is a
    // fraction or at least 10000.
    let mut units = 0i16;
    for (position, digit) in digits.chunks_exact(2).enumerate() {
        let digit = i16::from_ne_bytes([digit[0], digit[1]]);
        if digit == 0 {
            continue;
        }
        if !(1..NBASE).contains(&digit) || position as i64 != i64::from(weight) {
            return None;
        }
        units = digit;
    }
    if units > 10 || (negative && units != 0) {
        return None;
    }
    Answer::from_int(i64::from(units)).ok()
}

/// Byte images as numeric.c lays them out (see the module comment), built independently of the
/// parser above; the backend tests check them against values PostgreSQL made.
#[cfg(any(test, feature = "pg_test"))]
pub mod images {
    /// The short form: weight -64..=63, display scale 0..=63.
    pub fn short(negative: bool, dscale: u16, weight: i8, digits: &[i16]) -> Vec<u8> {
        assert!(dscale <= 63 && (-64..=63).contains(&weight));
        let header = 0x8000
            | if negative { 0x2000 } else { 0 }
            | (dscale << 7)
            | (weight as u8 as u16 & 0x7F);
        let mut bytes = header.to_ne_bytes().to_vec();
        digits.iter().for_each(|d| bytes.extend(d.to_ne_bytes()));
        bytes
    }

    /// The long form: any weight, display scale 0..=16383.
    pub fn long(negative: bool, dscale: u16, weight: i16, digits: &[i16]) -> Vec<u8> {
        assert!(dscale <= 0x3FFF);
        let header = if negative { 0x4000 } else { 0 } | dscale;
        let mut bytes = header.to_ne_bytes().to_vec();
        bytes.extend(weight.to_ne_bytes());
        digits.iter().for_each(|d| bytes.extend(d.to_ne_bytes()));
        bytes
    }

    /// NaN, +Infinity, -Infinity.
    pub fn special(header: u16) -> Vec<u8> {
        header.to_ne_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::images::{long, short, special};
    use super::*;

    fn answer(bytes: &[u8]) -> Option<usize> {
        whole_answer(bytes).map(Answer::index)
    }

    #[test]
    fn every_answer_in_both_header_forms() {
        for v in 0..=10i16 {
            let digits: &[i16] = if v == 0 { &[] } else { &[v] };
            assert_eq!(answer(&short(false, 0, 0, digits)), Some(v as usize), "{v}");
            assert_eq!(answer(&long(false, 0, 0, digits)), Some(v as usize), "{v}");
            // display scale does not change the value: 10.000, and scale 100 (long form only)
            assert_eq!(
                answer(&short(false, 3, 0, digits)),
                Some(v as usize),
                "{v}.000"
            );
            assert_eq!(
                answer(&long(false, 100, 0, digits)),
                Some(v as usize),
                "{v}.0...0"
            );
            assert_eq!(
                answer(&long(false, 16383, 0, digits)),
                Some(v as usize),
                "max scale"
            );
        }
    }

    #[test]
    fn zero_in_every_spelling() {
        // 0, 0.0, -0 as PostgreSQL stores them: no digits, weight 0, positive
        assert_eq!(answer(&short(false, 0, 0, &[])), Some(0));
        assert_eq!(answer(&short(false, 1, 0, &[])), Some(0));
        // not normalized: a negative zero, zero digits, another weight
        assert_eq!(answer(&short(true, 0, 0, &[])), Some(0));
        assert_eq!(answer(&long(true, 0, 0, &[0, 0])), Some(0));
        assert_eq!(answer(&short(false, 0, -3, &[0])), Some(0));
        assert_eq!(answer(&long(false, 0, 7, &[0, 0, 0])), Some(0));
    }

    #[test]
    fn unnormalized_whole_numbers_are_still_whole() {
        // leading and trailing zero digits around the units digit
        assert_eq!(answer(&short(false, 0, 1, &[0, 7])), Some(7));
        assert_eq!(answer(&short(false, 8, 0, &[9, 0, 0])), Some(9));
        assert_eq!(answer(&long(false, 0, 2, &[0, 0, 10, 0])), Some(10));
    }

    #[test]
    fn fractions_are_left_to_the_slow_path() {
        // 9.5 = 9 + 5000/10000; 0.5e1 is 5 (accepted); 10.0001; 1e-1000
        assert_eq!(answer(&short(false, 1, 0, &[9, 5000])), None);
        assert_eq!(answer(&short(false, 0, 0, &[5])), Some(5));
        assert_eq!(answer(&short(false, 4, 0, &[10, 1])), None);
        assert_eq!(answer(&long(false, 1000, -250, &[1])), None);
        // 9.99999999999999999999: 9 then five digits of 9999
        assert_eq!(
            answer(&short(false, 20, 0, &[9, 9999, 9999, 9999, 9999, 9999])),
            None
        );
        // 0.5
        assert_eq!(answer(&short(false, 1, -1, &[5000])), None);
    }

    #[test]
    fn out_of_range_and_negative_are_left_to_the_slow_path() {
        assert_eq!(answer(&short(false, 0, 0, &[11])), None);
        assert_eq!(answer(&short(false, 0, 0, &[9999])), None);
        assert_eq!(answer(&short(true, 0, 0, &[1])), None); // -1
        assert_eq!(answer(&long(true, 0, 0, &[5])), None); // -5, long form
        assert_eq!(answer(&short(false, 0, 1, &[1])), None); // 10000
        assert_eq!(answer(&short(false, 0, 1, &[1, 5])), None); // 10005
        assert_eq!(answer(&short(false, 0, 25, &[1])), None); // 1e100
        assert_eq!(answer(&long(false, 0, 2000, &[1])), None); // 1e8000
        assert_eq!(answer(&long(false, 0, i16::MIN, &[1])), None);
        assert_eq!(answer(&long(false, 0, i16::MAX, &[1])), None);
    }

    #[test]
    fn special_values_are_left_to_the_slow_path() {
        for header in [0xC000u16, 0xD000, 0xF000] {
            assert_eq!(answer(&special(header)), None, "{header:#x}");
        }
    }

    #[test]
    fn malformed_bytes_are_refused_not_panicked_on() {
        assert_eq!(answer(&[]), None);
        assert_eq!(answer(&[0x80]), None); // half a header
        assert_eq!(answer(&long(false, 0, 0, &[])[..3]), None); // half a weight
        let mut odd = short(false, 0, 0, &[7]);
        odd.push(0);
        assert_eq!(answer(&odd), None);
        // digits outside 0..9999
        assert_eq!(answer(&short(false, 0, 0, &[-7])), None);
        assert_eq!(answer(&short(false, 0, 0, &[10000])), None);
        assert_eq!(answer(&short(false, 0, -1, &[-1, 7])), None);
        // every byte string of up to 6 bytes over a small alphabet: never a panic, and any
        // accepted image decodes to a whole number 0..=10 by the formula in the module comment
        let alphabet = [0x00u8, 0x01, 0x07, 0x0a, 0x40, 0x7f, 0x80, 0xc0, 0xd0, 0xff];
        let mut images: Vec<Vec<u8>> = vec![vec![]];
        for _ in 0..6 {
            let longer: Vec<Vec<u8>> = images
                .iter()
                .filter(|i| i.len() == images.last().unwrap().len())
                .flat_map(|i| alphabet.iter().map(move |&b| [i.as_slice(), &[b]].concat()))
                .collect();
            images.extend(longer);
        }
        for image in &images {
            if let Some(a) = whole_answer(image) {
                assert_eq!(Some(a.index() as f64), value_by_formula(image), "{image:?}");
            }
        }
    }

    /// The value of a byte image by the formula sign * sum(digit * 10000^(weight - i)), in f64
    /// (exact for the short images above), or `None` for special values and odd lengths.
    fn value_by_formula(image: &[u8]) -> Option<f64> {
        let header = u16::from_ne_bytes([*image.first()?, *image.get(1)?]);
        let (negative, weight, digits) = match header >> 14 {
            3 => return None,
            2 => {
                let w = (header & 0x7F) as u8;
                let w = if w & 0x40 != 0 {
                    w as i32 - 128
                } else {
                    w as i32
                };
                (header & 0x2000 != 0, w, &image[2..])
            }
            s => (
                s == 1,
                i16::from_ne_bytes([*image.get(2)?, *image.get(3)?]) as i32,
                &image[4..],
            ),
        };
        if digits.len() % 2 != 0 {
            return None;
        }
        let value: f64 = digits
            .chunks(2)
            .enumerate()
            .map(|(i, d)| match i16::from_ne_bytes([d[0], d[1]]) {
                0 => 0.0, // also where 10000^(weight - i) is out of f64's range
                d => f64::from(d) * 10000f64.powi(weight - i as i32),
            })
            .sum();
        Some(if negative { -value } else { value })
    }
}
