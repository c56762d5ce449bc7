//! Lassos: the evidence for a liveness violation. A prefix from the initial state
//! leads to a cycle of steps that returns to where it started and can repeat forever.

use faultline_protocol::{Machine, ModelError, Step};
use thiserror::Error;

use crate::trace::{BadToken, Trace};

/// A prefix and a cycle, replayed as one trace; the cycle is `trace[loop_start..]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lasso {
    trace: Trace,
    loop_start: usize,
}

/// Input that is not a lasso of this machine.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LassoError {
    /// Occurs when the cycle has no steps.
    #[error("the lasso's cycle is empty")]
    EmptyCycle,
    /// Occurs when a step of the prefix or the cycle is not enabled where it is taken.
    #[error("the lasso does not replay: {0}")]
    Replay(#[source] ModelError),
    /// Occurs when the cycle ends in a different state than it started from.
    #[error("the lasso's {len}-step cycle does not return to the state it starts from")]
    NotACycle {
        /// Steps in the cycle.
        len: usize,
    },
    /// Occurs when a lasso token has no `|` between prefix and cycle, or more than one.
    #[error("a lasso token is PREFIX|CYCLE (`t0,t1|t2,io0`), got `{0}`")]
    NoBar(String),
    /// Occurs when a step of a lasso token does not parse.
    #[error(transparent)]
    Token(#[from] BadToken),
}

impl Lasso {
    /// Replays `prefix` then `cycle` from the machine's initial world and checks that
    /// the cycle returns to the world it started from.
    pub fn replay(m: &Machine, prefix: &[Step], cycle: &[Step]) -> Result<Lasso, LassoError> {
        if cycle.is_empty() {
            return Err(LassoError::EmptyCycle);
        }
        let all: Vec<Step> = prefix.iter().chain(cycle).copied().collect();
        let trace = Trace::replay(m, &all).map_err(LassoError::Replay)?;
        let loop_start = prefix.len();
        if trace.before(loop_start) != trace.last() {
            return Err(LassoError::NotACycle { len: cycle.len() });
        }
        Ok(Lasso { trace, loop_start })
    }

    /// Parses a token written by [`Lasso::token`]: `t0,t1|t2,io0` (prefix|cycle).
    pub fn parse_token(s: &str) -> Result<(Vec<Step>, Vec<Step>), LassoError> {
        let mut parts = s.split('|');
        let (Some(p), Some(c), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(LassoError::NoBar(s.to_string()));
        };
        Ok((Trace::parse_token(p)?, Trace::parse_token(c)?))
    }

    /// The replay token: prefix steps, `|`, cycle steps.
    pub fn token(&self) -> String {
        let steps: Vec<String> = self.trace.steps().map(|s| s.to_string()).collect();
        format!(
            "{}|{}",
            steps[..self.loop_start].join(","),
            steps[self.loop_start..].join(",")
        )
    }

    /// Prefix and one turn of the cycle, as one trace.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Index of the first cycle step in [`Lasso::trace`] (the prefix length).
    pub fn loop_start(&self) -> usize {
        self.loop_start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_protocol::{Admission, Op, ProgramBuilder, Reclaim, ThreadSpec, Tid};

    /// One thread that takes and drops `mmap_lock` forever: a two-step cycle.
    fn spinner() -> Machine {
        let mut b = ProgramBuilder::new("spin");
        let top = b.here();
        b.op(Op::MmapReadLock)
            .op(Op::MmapReadUnlock)
            .op(Op::Goto(top));
        let t = ThreadSpec {
            name: "spin".into(),
            program: b.build().expect("labels placed"),
            role: faultline_protocol::Role::Fault,
            process: Default::default(),
        };
        Machine::new(
            vec![t],
            vec![],
            vec![],
            Admission::Fair,
            Reclaim::Bounded(0),
        )
        .expect("valid")
    }

    const T0: Step = Step::Thread {
        tid: Tid(0),
        choice: 0,
    };

    #[test]
    fn a_cycle_that_returns_replays_and_its_token_round_trips() {
        let m = spinner();
        let l = Lasso::replay(&m, &[T0, T0], &[T0, T0]).expect("a lasso");
        assert_eq!(l.loop_start(), 2);
        assert_eq!(l.trace().len(), 4);
        assert_eq!(l.token(), "t0,t0|t0,t0");
        let (p, c) = Lasso::parse_token(&l.token()).expect("parses");
        assert_eq!(Lasso::replay(&m, &p, &c), Ok(l));
        let (p, c) = Lasso::parse_token("|t0,t0").expect("empty prefix");
        assert!(p.is_empty() && c.len() == 2);
    }

    #[test]
    fn bad_lassos_are_typed_errors() {
        let m = spinner();
        assert_eq!(Lasso::replay(&m, &[T0], &[]), Err(LassoError::EmptyCycle));
        assert_eq!(
            Lasso::replay(&m, &[], &[T0]),
            Err(LassoError::NotACycle { len: 1 })
        );
        let t1 = Step::Thread {
            tid: Tid(1),
            choice: 0,
        };
        assert!(matches!(
            Lasso::replay(&m, &[], &[t1]),
            Err(LassoError::Replay(_))
        ));
        for bad in ["t0,t0", "t0|t0|t0", "t0|zz"] {
            let e = Lasso::parse_token(bad).expect_err(bad);
            assert!(!e.to_string().contains('\n'));
        }
    }
}
