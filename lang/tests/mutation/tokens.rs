//! What a `.fl` mutator needs: a seeded xorshift and the byte ranges of a file's
//! words and punctuation. One copy for lang's mutation test and the api's fuzzer
//! (`api/tests/fl_fuzz.rs` includes this file by `#[path]`).

/// A xorshift64 generator: deterministic for a seed, no dependency.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Byte ranges of the file's words (`[A-Za-z0-9_][A-Za-z0-9_-]*`, ids contain `-`)
/// and single punctuation bytes: a rough tokenizer is enough to mutate by.
pub(crate) fn tokens(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let s = i;
        if b[i].is_ascii_alphanumeric() || b[i] == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
        } else {
            i += 1;
        }
        out.push((s, i));
    }
    out
}
