//! Native-engine throughput on the catalog's scenarios: `cargo bench -p faultline-checker`.
//!
//! Prints states, transitions, wall time and states/s per run (best of three), so
//! speed is measured here and never asserted in a timed test.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::Duration;

use faultline_checker::{Budget, Property, explore};

/// Design, scenario, knobs.
type Run = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const RUNS: &[Run] = &[
    ("hold-io", "fork-fuse", &[]),
    ("upstream", "fork-fuse", &[]),
    ("upstream", "tried-fuse", &[]),
    ("upstream", "many-faults", &[("faults", "3")]),
    ("hold-io", "many-faults", &[("faults", "3")]),
    ("upstream", "many-faults", &[("faults", "4")]),
];

fn main() {
    // `cargo bench -- NAME` filters by a substring of "design scenario knobs".
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!(
        "{:<44} {:>10} {:>12} {:>9} {:>12}  verdict",
        "run", "states", "transitions", "seconds", "states/s"
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
        );
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let model = faultline_models::build(design, scenario, &sets).expect("catalog builds");
        let mut best: Option<(Duration, faultline_checker::Report)> = None;
        for _ in 0..3 {
            let r = explore(&model.machine, &[Property::Deadlock], &Budget::default())
                .expect("no model error");
            if best.as_ref().is_none_or(|(d, _)| r.stats.elapsed < *d) {
                best = Some((r.stats.elapsed, r));
            }
        }
        let Some((_, r)) = best else { continue };
        let s = r.stats;
        println!(
            "{name:<44} {:>10} {:>12} {:>9.3} {:>12.0}  {}",
            s.states,
            s.transitions,
            s.elapsed.as_secs_f64(),
            s.states_per_sec(),
            r.overall()
        );
    }
}
