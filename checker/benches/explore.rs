//! Time to verdict for the native, loom and shuttle engines on the same scenarios:
//! `cargo bench -p faultline-checker` (`-- NAME` filters by a substring of the run).
//!
//! Prints one markdown table: verdict, states (distinct states for loom and shuttle),
//! executions, wall time, and the time as a multiple of the native engine's. Native
//! is best of three; loom and shuttle run once, capped at `MAX_EXECUTIONS`, and only
//! below `MAX_STATES_FOR_ENGINES`. Speed is measured here and never asserted in a
//! timed test.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::Duration;

use faultline_checker::{Engine, Options, Property, Report, run};

/// Design, scenario, knobs.
type Run = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const RUNS: &[Run] = &[
    ("hold-io", "fork-fuse", &[]),
    ("upstream", "fork-fuse", &[]),
    ("upstream", "fork-fuse", &[("evictions", "1")]),
    ("upstream", "tried-fuse", &[]),
    ("upstream", "tried-fuse", &[("evictions", "0")]),
    ("upstream", "many-faults", &[("faults", "1")]),
    ("upstream", "many-faults", &[("faults", "2")]),
    ("upstream", "many-faults", &[("faults", "3")]),
    ("hold-io", "many-faults", &[("faults", "3")]),
    ("upstream", "many-faults", &[("faults", "4")]),
];

/// Cap on loom and shuttle executions (shuttle samples as many again after DFS);
/// loom needs about 1 million for `many-faults faults=2`.
const MAX_EXECUTIONS: u64 = 1_500_000;

/// Native states above which loom and shuttle are not run (they would only hit the
/// cap, after minutes).
const MAX_STATES_FOR_ENGINES: u64 = 500_000;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!(
        "| run | engine | verdict | states | executions | seconds | x native |\n\
         |---|---|---|---:|---:|---:|---:|"
    );
    for &(design, scenario, knobs) in RUNS {
        let sets: Vec<_> = knobs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let name = format!(
            "{design} {scenario} {}",
            knobs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        )
        .trim_end()
        .to_string();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let model = faultline_models::build(design, scenario, &sets).expect("catalog builds");
        let opts = Options {
            max_executions: MAX_EXECUTIONS,
            ..Options::default()
        };
        let mut native = Duration::ZERO;
        let mut native_states = 0;
        for &engine in Engine::ALL {
            if engine != Engine::Native && native_states > MAX_STATES_FOR_ENGINES {
                println!(
                    "| {name} | {engine} | not run (over {MAX_STATES_FOR_ENGINES} states) | | | | |"
                );
                continue;
            }
            let tries = if engine == Engine::Native { 3 } else { 1 };
            let mut best: Option<Report> = None;
            let mut refused = None;
            for _ in 0..tries {
                match run(engine, &model.machine, &[Property::Deadlock], &opts) {
                    Ok(r) => {
                        if best
                            .as_ref()
                            .is_none_or(|b| r.stats.elapsed < b.stats.elapsed)
                        {
                            best = Some(r);
                        }
                    }
                    Err(e) => refused = Some(e.to_string()),
                }
            }
            let Some(r) = best else {
                let why = refused.unwrap_or_default();
                println!("| {name} | {engine} | refused: {why} | | | | |");
                continue;
            };
            let s = r.stats;
            if engine == Engine::Native {
                native = s.elapsed;
                native_states = s.states;
            }
            let execs = match engine {
                Engine::Native => "-".to_string(),
                _ => s.executions.to_string(),
            };
            println!(
                "| {name} | {engine} | {} | {} | {execs} | {:.4} | {:.0} |",
                r.overall(),
                s.states,
                s.elapsed.as_secs_f64(),
                s.elapsed.as_secs_f64() / native.as_secs_f64().max(1e-6)
            );
        }
    }
}
