//! One progress line on stderr while a long command runs: states, states/s (or
//! executions for loom and shuttle), depth, memory, and cells done of cells. Drawn
//! only when stderr is a terminal and `--quiet` is not given; cleared at the end, so
//! what stays on the screen is the command's output.

use std::io::IsTerminal;
use std::time::Duration;

use faultline_checker::Stats;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress line (hidden when nobody watches).
pub(crate) struct Progress {
    bar: ProgressBar,
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
        Progress { bar }
    }

    /// A line that draws nothing.
    pub(crate) fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
        }
    }

    /// Starts cell `done + 1` of `total`.
    pub(crate) fn cell(&self, done: usize, total: usize, label: &str) {
        self.bar
            .set_prefix(format!("cell {}/{total} {label}: ", done + 1));
        self.bar.set_message("starting");
    }

    /// The latest counts of the running check.
    pub(crate) fn stats(&self, s: &Stats) {
        self.bar.set_message(line(s));
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

#[cfg(test)]
mod tests {
    use super::*;

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
