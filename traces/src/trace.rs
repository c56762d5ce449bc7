//! The step trace: the steps of a counterexample and the worlds between them, rebuilt
//! by replaying the steps from the initial state (so every trace replays by
//! construction), plus its replay token.

use faultline_protocol::{Machine, ModelError, Step, World};

/// A replayed sequence of steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    initial: World,
    steps: Vec<(Step, World)>,
}

/// A replay token that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadToken(pub String);

impl std::fmt::Display for BadToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bad step `{}` in replay token (expected t<N>[.<C>], io<N>, ev<N> or ho)",
            self.0
        )
    }
}

impl std::error::Error for BadToken {}

impl Trace {
    /// Replays `steps` from the machine's initial world; fails on the first step that is
    /// not enabled.
    pub fn replay(m: &Machine, steps: &[Step]) -> Result<Trace, ModelError> {
        let initial = m.initial();
        let mut out = Vec::with_capacity(steps.len());
        let mut w = initial;
        for &s in steps {
            w = m.apply(&w, s)?;
            out.push((s, w));
        }
        Ok(Trace {
            initial,
            steps: out,
        })
    }

    /// Parses a token written by [`Trace::token`] (`t0,t1,io0`; empty for no steps). An
    /// empty step (`t0,,t1`, `,,,`) is an error, not a step to skip.
    pub fn parse_token(s: &str) -> Result<Vec<Step>, BadToken> {
        if s.is_empty() {
            return Ok(Vec::new());
        }
        s.split(',')
            .map(|p| Step::parse(p.trim()).ok_or_else(|| BadToken(p.to_string())))
            .collect()
    }

    /// The replay token: the steps, comma-separated.
    pub fn token(&self) -> String {
        self.steps
            .iter()
            .map(|(s, _)| s.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }
    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
    /// The steps.
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        self.steps.iter().map(|(s, _)| *s)
    }
    /// The initial world.
    pub fn initial(&self) -> &World {
        &self.initial
    }
    /// The world before step `i`.
    pub fn before(&self, i: usize) -> &World {
        if i == 0 {
            &self.initial
        } else {
            &self.steps[i - 1].1
        }
    }
    /// The world after step `i`.
    pub fn after(&self, i: usize) -> &World {
        &self.steps[i].1
    }
    /// The final world.
    pub fn last(&self) -> &World {
        self.steps.last().map_or(&self.initial, |(_, w)| w)
    }
}
