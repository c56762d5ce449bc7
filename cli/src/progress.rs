//! One progress line on stderr while a long command runs: states, states/s (or
//! executions for loom and shuttle), depth, memory, and cells done of cells. Drawn
//! only when stderr is a terminal and `--quiet` is not given; cleared at the end, so
//! what stays on the screen is the command's output.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use faultline_checker::{Budget, Stats};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress line (hidden when nobody watches).
pub(crate) struct Progress {
    bar: ProgressBar,
    /// The budget of every check of this command, for the fractions used.
    budget: OnceLock<Budget>,
}

impl Progress {
    /// A line on stderr if it is a terminal and not `quiet`.
    pub(crate) fn new(quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {elapsed} {prefix}{wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .tick_chars("-\\|/ ");
        bar.set_style(style);
        bar.set_message("starting");
        // The spinner and clock move even while an engine reports nothing.
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar,
            budget: OnceLock::new(),
        }
    }

    /// A line that draws nothing.
    pub(crate) fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            budget: OnceLock::new(),
        }
    }

    /// Starts cell `done + 1` of `total`.
    pub(crate) fn cell(&self, done: usize, total: usize, label: &str) {
        self.bar
            .set_prefix(format!("cell {}/{total} {label}: ", done + 1));
        self.bar.set_message("starting");
    }

    /// The budget the checks run under (the first one given stays).
    pub(crate) fn budget(&self, b: &Budget) {
        let _ = self.budget.set(*b);
    }

    /// The latest counts of the running check.
    pub(crate) fn stats(&self, s: &Stats) {
        let mut text = line(s);
        if let Some(b) = self.budget.get().filter(|_| s.executions == 0) {
            text += &used(s, b);
        }
        self.bar.set_message(text);
    }

    /// Removes the line.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The counts as one short line.
fn line(s: &Stats) -> String {
    if s.executions > 0 {
        format!(
            "{} executions, {:.0} executions/s, {} distinct states, depth {}",
            s.executions,
            s.executions_per_sec(),
            s.states,
            s.depth
        )
    } else {
        format!(
            "{} states, {:.0} states/s, depth {}, {:.1} MiB",
            s.states,
            s.states_per_sec(),
            s.depth,
            s.bytes as f64 / f64::from(1 << 20)
        )
    }
}

/// How much of the state and memory budgets the counts use.
fn used(s: &Stats, b: &Budget) -> String {
    let pct = |n: u64, of: u64| 100.0 * n as f64 / of.max(1) as f64;
    let mem = format!(
        " of {} MiB ({:.0}%)",
        b.max_bytes >> 20,
        pct(s.bytes, b.max_bytes)
    );
    if b.max_states == Budget::DEFAULT_MAX_STATES {
        mem
    } else {
        format!("{mem}, {:.0}% of --max-states", pct(s.states, b.max_states))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_the_fraction_of_the_memory_and_state_budgets_used() {
        let s = Stats {
            states: 2000,
            bytes: 3 << 20,
            ..Stats::default()
        };
        let mut b = Budget {
            max_states: Budget::DEFAULT_MAX_STATES,
            max_bytes: 12 << 20,
        };
        assert_eq!(used(&s, &b), " of 12 MiB (25%)");
        b.max_states = 8000;
        assert_eq!(used(&s, &b), " of 12 MiB (25%), 25% of --max-states");
    }

    #[test]
    fn the_line_shows_states_rate_depth_and_memory_or_executions() {
        let mut s = Stats {
            states: 2000,
            transitions: 5000,
            depth: 7,
            elapsed: Duration::from_secs(2),
            bytes: 3 << 20,
            executions: 0,
            ..Stats::default()
        };
        assert_eq!(line(&s), "2000 states, 1000 states/s, depth 7, 3.0 MiB");
        s.executions = 10;
        assert_eq!(
            line(&s),
            "10 executions, 5 executions/s, 2000 distinct states, depth 7"
        );
    }
}
