//! Replay tokens with the model they were recorded on: `STEPS@HASH`. The hash covers
//! the compiled model and its knob values, so a token replayed against another
//! scenario, knob set or file is refused instead of meaning something else.

use std::fmt;

use faultline_protocol::Machine;

/// A counterexample's replay token: its steps and the hash of its model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The steps, as [`crate::Trace::token`] writes them (`t0,t0,t1`).
    pub steps: String,
    /// [`model_hash`] of the model they were recorded on.
    pub model: String,
}

/// Why a token cannot be replayed on a model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Occurs when the token has no steps.
    #[error("empty replay token")]
    Empty,
    /// Occurs when the token's hash names another model.
    #[error("the token was recorded on another model (hash {theirs}; this model is {ours})")]
    OtherModel {
        /// The token's hash.
        theirs: String,
        /// This model's.
        ours: String,
    },
}

impl Token {
    /// The token of `steps` recorded on `m` with these knob values.
    pub fn new<'a>(
        m: &Machine,
        knobs: impl IntoIterator<Item = (&'a str, &'a str)>,
        steps: String,
    ) -> Token {
        Token {
            steps,
            model: model_hash(m, knobs),
        }
    }

    /// The steps of a token `STEPS@HASH`, refused if the hash names a model other than
    /// `m` with these knobs (a hashless token, written by hand, is taken as is).
    pub fn check<'t, 'a>(
        text: &'t str,
        m: &Machine,
        knobs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<&'t str, TokenError> {
        let (steps, hash) = match text.rsplit_once('@') {
            Some((s, h)) => (s, Some(h)),
            None => (text, None),
        };
        if steps.is_empty() {
            return Err(TokenError::Empty);
        }
        if let Some(h) = hash {
            let ours = model_hash(m, knobs);
            if h != ours {
                return Err(TokenError::OtherModel {
                    theirs: h.to_string(),
                    ours,
                });
            }
        }
        Ok(steps)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.steps, self.model)
    }
}

/// A short hash of the compiled model (programs, VMAs, folios, admission, reclaim) and
/// its knob values.
pub fn model_hash<'a>(m: &Machine, knobs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let text = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        m.threads(),
        m.vmas(),
        m.folios(),
        m.admission(),
        m.reclaim(),
        knobs.into_iter().collect::<Vec<_>>()
    );
    // FNV-1a: stable across runs and platforms, unlike std's SipHash keys.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", (h ^ (h >> 32)) as u32)
}
