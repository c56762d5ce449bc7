//! `faultline-repro`: the harness's model side, which `repro/run` calls for each log
//! (`faultline repro` runs `repro/run`; this binary stays free of clap, its argument
//! parsing is these few lines).
//!
//! ```text
//! faultline-repro cases                         name and fltest arguments, one a line
//! faultline-repro predict CASE KERNEL           the model's prediction, every deadlock
//!                                               state's waits and kill -9 judgement
//! faultline-repro judge CASE KERNEL VERSION LOG the RESULT line; exit 0 iff it agrees
//! faultline-repro table                         the README's table of results (markdown)
//! ```

use std::io::Write;
use std::process::ExitCode;

use faultline_repro::{CASES, KERNELS, NEWER, ReproError, case, judge, observe, predict, table};

fn kernel(k: &str) -> Result<&str, ReproError> {
    KERNELS
        .iter()
        .copied()
        .chain(NEWER.iter().map(|(n, _)| *n))
        .find(|x| *x == k)
        .ok_or_else(|| ReproError::UnknownKernel(k.into()))
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
        ["table"] => {
            write!(out, "{}", table()?).map_err(io)?;
            Ok(true)
        }
        ["predict", c, k] => {
            let (c, k) = (case(c)?, kernel(k)?);
            let p = predict(c, k)?;
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
        ["judge", c, k, version, log] => {
            let (c, k) = (case(c)?, kernel(k)?);
            // serial logs carry terminal escapes and the odd NUL: read lossily
            let bytes = std::fs::read(log).map_err(|source| ReproError::Io {
                path: (*log).into(),
                source,
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let j = judge(c, k, version, &predict(c, k)?, &observe(&text));
            writeln!(out, "{}", j.result).map_err(io)?;
            for l in j.waits.iter().chain(&j.mismatches) {
                writeln!(out, "{l}").map_err(io)?;
            }
            Ok(j.ok())
        }
        _ => Err(ReproError::Usage(
            "usage: faultline-repro cases | table | predict CASE KERNEL | judge CASE KERNEL VERSION LOG"
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
