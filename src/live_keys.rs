//! Finding the change of a key (bucket and segments, as bytes) among many, fast: a fold meets
//! some 8 million parts of 55,000 keys in ten seconds of writes spread over three years, in no
//! order, and what that costs is memory the processor's cache does not hold. So a key's bytes
//! are kept with its change (KeyBytes, in place when short), and the table that finds it holds
//! eight bytes a key (KeyIndex: part of the hash and the position), which stays in the cache.

/// A key's bytes, in place when short (as for a few integer or short text segments).
pub enum KeyBytes {
    Short(u8, [u8; SHORT_KEY]),
    Long(Box<[u8]>),
}

const SHORT_KEY: usize = 38;

impl KeyBytes {
    pub fn new(bytes: &[u8]) -> KeyBytes {
        if bytes.len() <= SHORT_KEY {
            let mut short = [0; SHORT_KEY];
            short[..bytes.len()].copy_from_slice(bytes);
            KeyBytes::Short(bytes.len() as u8, short)
        } else {
            KeyBytes::Long(bytes.into())
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            KeyBytes::Short(n, bytes) => &bytes[..*n as usize],
            KeyBytes::Long(bytes) => bytes,
        }
    }
}

/// The hash of a key's bytes: a word at a time (as rustc's FxHash), then mixed so that every
/// bit reaches both the low bits (the slot) and the high ones (the tag). Seeded per backend;
/// not made to resist values chosen to collide, which could make grouping slow, never wrong.
pub fn hash(bytes: &[u8]) -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(0u8)
    });
    let mut h = seed ^ bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// Positions of keys by hash: open addressing, linear probing, at most half full. A slot is
/// the hash's high half (the tag) and the position plus one (0: empty), so probing reads
/// slots alone, and a key's bytes are compared (by the caller) only when the tags agree.
#[derive(Default)]
pub struct KeyIndex {
    slots: Vec<u64>,
    /// each position's hash, to place it again when the table grows
    hashes: Vec<u64>,
}

impl KeyIndex {
    /// How many keys it has.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The position of the key of hash `hash` for which `same` holds, if any.
    pub fn find(&self, hash: u64, mut same: impl FnMut(usize) -> bool) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == hash >> 32 && same((slot & 0xffff_ffff) as usize - 1) {
                return Some((slot & 0xffff_ffff) as usize - 1);
            }
            i = (i + 1) & mask;
        }
    }

    /// The first position whose tag agrees with `hash`: most likely its key, to fetch into the
    /// cache before it is needed.
    pub fn likely(&self, hash: u64) -> Option<usize> {
        self.find(hash, |_| true)
    }

    /// Ask for the slot where a key of hash `hash` is looked for first.
    pub fn prefetch(&self, hash: u64) {
        if !self.slots.is_empty() {
            prefetch(&self.slots[hash as usize & (self.slots.len() - 1)]);
        }
    }

    /// Add a key (not in it yet) of hash `hash`: its position, the next one.
    pub fn push(&mut self, hash: u64) -> usize {
        let at = self.hashes.len();
        assert!(at < u32::MAX as usize, "at most 4 billion keys at once");
        if (at + 1) * 2 > self.slots.len() {
            self.grow((at + 1) * 2);
        }
        self.hashes.push(hash);
        self.place(hash, at);
        at
    }

    /// Make room for `keys` keys without growing.
    pub fn reserve(&mut self, keys: usize) {
        if keys * 2 > self.slots.len() {
            self.grow(keys * 2);
        }
        self.hashes.reserve(keys.saturating_sub(self.hashes.len()));
    }

    /// How many slots the index has now (twice the keys it has room for, or more).
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Forget every key (keeping the room).
    pub fn clear(&mut self) {
        self.slots.fill(0);
        self.hashes.clear();
    }

    fn grow(&mut self, slots: usize) {
        self.slots = vec![0; slots.next_power_of_two().max(16)];
        let hashes = std::mem::take(&mut self.hashes);
        for (at, &hash) in hashes.iter().enumerate() {
            self.place(hash, at);
        }
        self.hashes = hashes;
    }

    fn place(&mut self, hash: u64, at: usize) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (hash & !0xffff_ffff) | (at as u64 + 1);
    }
}

/// Ask the processor to bring what `p` points to into its cache (where it can be asked).
#[inline]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and faults on no address
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys and their positions, found by bytes, as a HashMap would.
    fn index_of(keys: &[Vec<u8>]) -> (KeyIndex, Vec<Vec<u8>>) {
        let mut index = KeyIndex::default();
        let mut stored: Vec<Vec<u8>> = Vec::new();
        for k in keys {
            let h = hash(k);
            if index.find(h, |at| stored[at] == *k).is_none() {
                assert_eq!(index.push(h), stored.len());
                stored.push(k.clone());
            }
        }
        (index, stored)
    }

    #[test]
    fn finds_every_key_at_its_position_across_growth() {
        let keys: Vec<Vec<u8>> = (0..100_000u64)
            .map(|i| (i % 60_000).to_le_bytes().to_vec())
            .collect();
        let (index, stored) = index_of(&keys);
        assert_eq!(index.len(), 60_000);
        for (at, k) in stored.iter().enumerate() {
            assert_eq!(index.find(hash(k), |p| stored[p] == *k), Some(at));
        }
        assert_eq!(
            index.find(hash(b"absent"), |p| stored[p] == b"absent"),
            None
        );
    }

    #[test]
    fn keys_whose_hashes_agree_stay_apart() {
        // one hash for three keys: only the comparison of bytes tells them apart
        let mut index = KeyIndex::default();
        let keys = [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()];
        for _ in &keys {
            index.push(42);
        }
        for (at, k) in keys.iter().enumerate() {
            assert_eq!(index.find(42, |p| keys[p] == *k), Some(at));
        }
        assert_eq!(index.likely(42), Some(0));
        assert_eq!(index.find(42, |_| false), None);
    }

    #[test]
    fn a_cleared_index_is_empty_and_fills_again() {
        let (mut index, _) = index_of(&[vec![1], vec![2]]);
        index.clear();
        assert!(index.is_empty());
        assert_eq!(index.find(hash(&[1]), |_| true), None);
        assert_eq!(index.push(hash(&[2])), 0);
        assert_eq!(index.find(hash(&[2]), |at| at == 0), Some(0));
    }

    #[test]
    fn short_and_long_keys_keep_their_bytes() {
        for n in [0, 1, 37, 38, 39, 200] {
            let bytes: Vec<u8> = (0..n).map(|i| i as u8).collect();
            assert_eq!(KeyBytes::new(&bytes).bytes(), &bytes[..]);
        }
        assert!(matches!(KeyBytes::new(&[0; 38]), KeyBytes::Short(..)));
        assert!(matches!(KeyBytes::new(&[0; 39]), KeyBytes::Long(..)));
    }

    #[test]
    fn hashes_spread_keys_that_differ_only_in_high_bytes() {
        // day buckets of timestamps: microseconds, multiples of 86,400,000,000 (low bits 0)
        let slots: std::collections::HashSet<u64> = (0..1000u64)
            .map(|d| hash(&(d * 86_400_000_000).to_le_bytes()) & 2047)
            .collect();
        assert!(slots.len() > 600, "only {} of 2048 slots", slots.len());
    }
}
