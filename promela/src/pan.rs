//! Running SPIN on an exported model: `spin -a`, `gcc`, `./pan`, and the numbers its
//! report gives (states stored, transitions, errors, memory, time).

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::error::SpinError;

/// How to compile and run the verifier.
#[derive(Clone, Copy, Debug)]
pub struct PanOptions {
    /// SPIN's partial-order reduction (off: `-DNOREDUCE`, to count every state).
    pub por: bool,
    /// Go on after an error and count the whole space (`-c0`); otherwise stop at the
    /// first.
    pub exhaustive: bool,
    /// Most search depth (`-m`).
    pub max_depth: u64,
    /// Hash table size, log 2 (`-w`).
    pub hash_log: u8,
    /// Memory limit in MiB (`-DMEMLIM`).
    pub memlim_mib: u64,
}

impl Default for PanOptions {
    fn default() -> Self {
        PanOptions {
            por: false,
            exhaustive: true,
            max_depth: 100_000,
            hash_log: 20,
            memlim_mib: 16_384,
        }
    }
}

/// What `./pan` reported.
#[derive(Clone, Debug, PartialEq)]
pub struct PanReport {
    /// Distinct states stored.
    pub states: u64,
    /// Transitions taken.
    pub transitions: u64,
    /// Errors found (with `exhaustive`, all of them).
    pub errors: u64,
    /// Some error was an invalid end state (a deadlock).
    pub invalid_end: bool,
    /// Some error was an assertion (a model error of faultline's).
    pub assertion: bool,
    /// Total memory pan reports using, MiB.
    pub memory_mib: f64,
    /// Verification time pan reports.
    pub pan_seconds: f64,
    /// Wall time of `./pan` alone.
    pub wall: Duration,
    /// The report, for messages.
    pub text: String,
}

fn run(cmd: &mut Command, tool: &'static str) -> Result<String, SpinError> {
    let line = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| match e.kind() {
        ErrorKind::NotFound => SpinError::Missing { tool },
        _ => SpinError::Io(e),
    })?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        let tail: String = text.lines().rev().take(12).collect::<Vec<_>>().join(" | ");
        return Err(SpinError::Failed {
            command: line,
            output: tail,
        });
    }
    Ok(text)
}

/// Writes `model` to `dir/model.pml`, generates and compiles the verifier there.
pub fn compile(model: &str, dir: &Path, opts: &PanOptions) -> Result<(), SpinError> {
    std::fs::write(dir.join("model.pml"), model)?;
    run(
        Command::new("spin")
            .arg("-a")
            .arg("model.pml")
            .current_dir(dir),
        "spin",
    )?;
    let mut gcc = Command::new("gcc");
    gcc.args(["-O2", "-DSAFETY"])
        .arg(format!("-DMEMLIM={}", opts.memlim_mib));
    if !opts.por {
        gcc.arg("-DNOREDUCE");
    }
    gcc.args(["-o", "pan", "pan.c"]).current_dir(dir);
    run(&mut gcc, "gcc")?;
    Ok(())
}

/// Runs the compiled verifier in `dir`.
pub fn run_pan(dir: &Path, opts: &PanOptions) -> Result<PanReport, SpinError> {
    let mut pan = Command::new(dir.join("pan"));
    pan.arg(format!("-m{}", opts.max_depth))
        .arg(format!("-w{}", opts.hash_log))
        .current_dir(dir);
    if opts.exhaustive {
        pan.arg("-c0");
    }
    let start = Instant::now();
    let text = run(&mut pan, "pan")?;
    let wall = start.elapsed();
    parse(&text, wall)
}

/// [`compile`] then [`run_pan`].
pub fn verify(model: &str, dir: &Path, opts: &PanOptions) -> Result<PanReport, SpinError> {
    compile(model, dir, opts)?;
    run_pan(dir, opts)
}

/// The number before `suffix` on the line containing it.
fn number_before(text: &str, suffix: &'static str) -> Result<f64, SpinError> {
    text.lines()
        .find(|l| l.contains(suffix))
        .and_then(|l| l.split(suffix).next())
        .and_then(|head| head.split_whitespace().last())
        .and_then(|n| n.parse::<f64>().ok())
        .ok_or_else(|| SpinError::Parse {
            what: suffix,
            report: text.to_string(),
        })
}

fn parse(text: &str, wall: Duration) -> Result<PanReport, SpinError> {
    if text.contains("max search depth too small") {
        return Err(SpinError::Failed {
            command: "pan".into(),
            output: "max search depth too small: raise max_depth (-m)".into(),
        });
    }
    let errors = text
        .lines()
        .find_map(|l| l.split("errors: ").nth(1))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .ok_or_else(|| SpinError::Parse {
            what: "errors:",
            report: text.to_string(),
        })?;
    let seconds = text
        .lines()
        .find_map(|l| l.strip_prefix("pan: elapsed time "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0);
    Ok(PanReport {
        states: number_before(text, " states, stored")? as u64,
        transitions: number_before(text, " transitions (")? as u64,
        errors,
        invalid_end: text.contains(": invalid end state ("),
        assertion: text.contains("assertion violated"),
        memory_mib: number_before(text, "total actual memory usage")?,
        pan_seconds: seconds,
        wall,
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "pan:1: invalid end state (at depth 11)
pan: wrote model.pml.trail

(Spin Version 6.5.2 -- 6 December 2019)
Warning: Search not completed

Full statespace search for:
\tnever claim         \t- (none specified)
\tassertion violations\t+
\tinvalid end states\t+

State-vector 92 byte, depth reached 24, errors: 3
      155 states, stored
       76 states, matched
      231 transitions (= stored+matched)
Stats on memory usage (in Megabytes):
    0.015\tequivalent memory usage for states (stored*(State-vector + overhead))
  128.730\ttotal actual memory usage

pan: elapsed time 0.01 seconds
";

    #[test]
    fn a_pan_report_gives_states_errors_and_the_kind_of_error() {
        let r = parse(REPORT, Duration::ZERO).expect("parses");
        assert_eq!((r.states, r.transitions, r.errors), (155, 231, 3));
        assert!(r.invalid_end && !r.assertion);
        assert!((r.memory_mib - 128.73).abs() < 1e-9);
        // The header line "invalid end states +" alone is no deadlock.
        let clean = REPORT.replace("pan:1: invalid end state (at depth 11)\n", "");
        assert!(!parse(&clean, Duration::ZERO).expect("parses").invalid_end);
    }

    #[test]
    fn a_report_without_counts_is_a_parse_error() {
        assert!(matches!(
            parse("pan: something else", Duration::ZERO),
            Err(SpinError::Parse { .. })
        ));
    }
}
