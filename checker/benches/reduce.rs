//! States, transitions, time and memory of `many-faults` under each reduction:
//! `cargo bench -p faultline-checker --bench reduce -- [FAULTS...] [--threads N]
//! [--reduce none|por|symmetry|all] [--design D] [--property P] [--max-states N]`
//! (default: the scenario's properties, the default budget).
//!
//! Prints one markdown table row per run (one run each: the point is the state
//! counts and the order of magnitude of the time). Peak RSS is the process's, so
//! run one configuration per invocation to attribute it.

#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use faultline_checker::{Engine, Options, Property, Reduce, run};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let threads = value("--threads").map_or(Options::default_threads(), |t| {
        t.parse().expect("--threads N")
    });
    let reduces: Vec<Reduce> = match value("--reduce") {
        Some(r) => vec![Reduce::parse(&r).expect("--reduce none|por|symmetry|all")],
        None => Reduce::ALL.to_vec(),
    };
    let designs: Vec<String> = match value("--design") {
        Some(d) => vec![d],
        None => vec!["upstream".into(), "hold-io".into()],
    };
    let flags_with_values = [
        "--threads",
        "--reduce",
        "--design",
        "--property",
        "--max-states",
    ];
    let faults: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            !a.starts_with("--")
                && (*i == 0 || !flags_with_values.contains(&args[i - 1].as_str()))
                && a.parse::<u8>().is_ok()
        })
        .map(|(_, a)| a.clone())
        .collect();
    let faults = if faults.is_empty() {
        vec!["3".to_string(), "4".to_string()]
    } else {
        faults
    };
    println!(
        "| design | faults | reduce | threads | verdict | states | transitions | seconds | CPU s | store MiB | peak RSS MiB |\n\
         |---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|"
    );
    for design in &designs {
        for n in &faults {
            let model = faultline_models::build(
                design,
                "many-faults",
                &[("faults".to_string(), n.clone())],
            )
            .expect("builds");
            let props: Vec<Property> = match value("--property") {
                Some(p) => vec![Property::parse(&p).expect("--property ID")],
                None => model
                    .scenario
                    .properties
                    .iter()
                    .filter_map(|p| Property::parse(p))
                    .collect(),
            };
            for &reduce in &reduces {
                let mut opts = Options {
                    reduce,
                    threads,
                    ..Options::default()
                };
                if let Some(n) = value("--max-states") {
                    opts.budget.max_states = n.parse().expect("--max-states N");
                }
                let cpu = cpu_seconds();
                let r = run(Engine::Native, &model.machine, &props, &opts).expect("runs");
                let cpu = cpu_seconds().zip(cpu).map(|(b, a)| b - a);
                println!(
                    "| {design} | {n} | {reduce} | {threads} | {} | {} | {} | {:.2} | {} | {:.0} | {} |",
                    r.overall(),
                    r.stats.states,
                    r.stats.transitions,
                    r.stats.elapsed.as_secs_f64(),
                    cpu.map_or("-".to_string(), |c| format!("{c:.2}")),
                    r.stats.bytes as f64 / f64::from(1 << 20),
                    peak_rss_mib().map_or("-".to_string(), |m| m.to_string()),
                );
            }
        }
    }
}

/// The process's peak resident set (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// User plus system CPU time of this process (Linux `/proc/self/stat`, 100 ticks/s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
