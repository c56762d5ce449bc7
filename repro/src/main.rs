//! `faultline-repro`: the harness's model side, which `repro/run` calls for each log
//! (`faultline repro` runs `repro/run`; this binary stays free of clap, its argument
//! parsing is these few lines).
//!
//! ```text
//! faultline-repro cases                         name and fltest arguments, one a line
//! faultline-repro predict CASE KERNEL [SERIES]  the model's prediction, every deadlock
//!                                               state's waits and kill -9 judgement
//! faultline-repro judge CASE KERNEL VERSION LOG [SERIES [SYSTEM_MAP]]
//!                                               the RESULT line; exit 0 iff it agrees
//!                                               (SERIES: a kernel built from source,
//!                                               SYSTEM_MAP: its symbols, for inlining)
//! faultline-repro builds                        patch series and model design, one a line
//! faultline-repro table                         the README's table of results (markdown)
//! ```

use std::io::Write;
use std::process::ExitCode;

use faultline_repro::{
    BUILDS, Build, CASES, KERNELS, NEWER, ReproError, STOCK, build_of, case, judge, known, observe,
    predict_for, table,
};

fn kernel(k: &str) -> Result<&str, ReproError> {
    KERNELS
        .iter()
        .copied()
        .chain(NEWER.iter().map(|(n, _)| *n))
        .find(|x| *x == k)
        .ok_or_else(|| ReproError::UnknownKernel(k.into()))
}

fn series(s: Option<&&str>) -> Result<&'static Build, ReproError> {
    match s {
        None => Ok(&STOCK),
        Some(s) => build_of(s).ok_or_else(|| {
            ReproError::Usage(format!(
                "unknown patch series {s} (valid: {})",
                BUILDS
                    .iter()
                    .map(|b| b.series)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
    }
}

fn run(args: &[String], out: &mut impl Write) -> Result<bool, ReproError> {
    let io = |source| ReproError::Io {
        path: "stdout".into(),
        source,
    };
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["cases"] => {
            for c in CASES {
                writeln!(out, "{}\t{}", c.name, c.args).map_err(io)?;
            }
            Ok(true)
        }
        ["builds"] => {
            for b in BUILDS {
                let sets: Vec<String> = b.sets.iter().map(|(k, v)| format!("{k}={v}")).collect();
                writeln!(out, "{}\t{}\t{}", b.series, b.design, sets.join(",")).map_err(io)?;
            }
            Ok(true)
        }
        ["table"] => {
            write!(out, "{}", table()?).map_err(io)?;
            Ok(true)
        }
        ["predict", c, k, rest @ ..] if rest.len() <= 1 => {
            let (c, k) = (case(c)?, kernel(k)?);
            let p = predict_for(c, k, series(rest.first())?)?;
            writeln!(
                out,
                "case={} kernel={k} predicted={} states={} transitions={} states/s={:.0} \
                 deadlock-states={}\nknobs {}",
                c.name,
                if p.hang { "HANG" } else { "COMPLETE" },
                p.stats.states,
                p.stats.transitions,
                p.stats.states_per_sec(),
                p.stuck.len(),
                p.knobs
            )
            .map_err(io)?;
            for (i, s) in p.stuck.iter().enumerate() {
                let (kill, hung) = s.kill.words();
                writeln!(
                    out,
                    "deadlock {i}: kill -9 ends it: {kill}; hung_task reports it: {hung}"
                )
                .map_err(io)?;
                for (w, t) in s.waits.iter().zip(&s.kill.threads) {
                    writeln!(out, "  {} {} {}: {}", w.role, w.thread, w.at, t.why).map_err(io)?;
                }
            }
            Ok(true)
        }
        ["judge", c, k, version, log, rest @ ..] if rest.len() <= 2 => {
            let (c, k) = (case(c)?, kernel(k)?);
            // serial logs carry terminal escapes and the odd NUL: read lossily
            let bytes = std::fs::read(log).map_err(|source| ReproError::Io {
                path: (*log).into(),
                source,
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let b = series(rest.first())?;
            // a kernel built from source is named by its series: 7.2+v2
            let label = rest.first().map_or(k.to_string(), |s| format!("{k}+{s}"));
            // a kernel built from source may inline a frame the model names
            let mut o = observe(&text);
            if let Some(map) = rest.get(1) {
                let map = std::fs::read_to_string(map).map_err(|source| ReproError::Io {
                    path: (*map).into(),
                    source,
                })?;
                o = o.with_system_map(&map);
            }
            let j = judge(c, &label, version, &predict_for(c, k, b)?, &o)
                .explained(known(b.series, c.name), o.outcome);
            writeln!(out, "{}", j.result).map_err(io)?;
            for l in j.waits.iter().chain(&j.mismatches) {
                writeln!(out, "{l}").map_err(io)?;
            }
            Ok(j.ok())
        }
        _ => Err(ReproError::Usage(
            "usage: faultline-repro cases | builds | table | predict CASE KERNEL [SERIES] | judge CASE KERNEL VERSION LOG [SERIES [SYSTEM_MAP]]"
                .into(),
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = std::io::stdout().lock();
    match run(&args, &mut out) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "faultline-repro: error: {e}");
            ExitCode::from(2)
        }
    }
}
