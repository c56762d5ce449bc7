//! `faultline repro [CASE]... [--kernel K|all] [--design D|all] [--predict]`: the real-kernel
//! harness. The cases and the model's predictions come from the `faultline-repro`
//! library; booting the kernels (QEMU, initramfs, packages) is `repro/run` in the
//! source tree, which this runs with the same arguments and whose exit code it keeps
//! (0 every case agrees, 1 one disagrees, 2 a missing tool or package).

use std::fmt::Write;
use std::path::PathBuf;
use std::process::Command;

use faultline_repro::{BUILDS, Build, CASES, Case, KERNELS, NEWER, STOCK, case, predict_for};

use crate::args::ReproArgs;
use crate::error::CliError;

fn usage(message: String) -> CliError {
    CliError::Usage(message, "faultline help repro")
}

/// The cases named, or all of them.
fn cases(a: &ReproArgs) -> Result<Vec<&'static Case>, CliError> {
    if a.cases.is_empty() {
        return Ok(CASES.iter().collect());
    }
    a.cases
        .iter()
        .map(|c| case(c).map_err(|e| usage(e.to_string())))
        .collect()
}

/// Runs `faultline repro`; the text is empty when the harness printed its own lines.
pub(crate) fn run(a: &ReproArgs) -> Result<(u8, String), CliError> {
    let chosen = cases(a)?;
    if a.predict {
        // Debian kernels as named (6.1 and 6.12 when none is), then the designs
        let all: Vec<&str> = KERNELS
            .iter()
            .copied()
            .chain(NEWER.iter().map(|(k, _)| *k))
            .collect();
        let mut targets: Vec<(&str, &Build)> = match a.kernel.as_deref() {
            Some("all") => all.iter().map(|k| (*k, &STOCK)).collect(),
            Some(k) => vec![(
                all.iter().copied().find(|x| *x == k).unwrap_or("6.12"),
                &STOCK,
            )],
            None if a.design.is_none() => KERNELS.iter().map(|k| (*k, &STOCK)).collect(),
            None => Vec::new(),
        };
        targets.extend(
            BUILDS
                .iter()
                .filter(|b| {
                    a.design
                        .as_deref()
                        .is_some_and(|d| d == "all" || d == b.series)
                })
                .map(|b| ("7.2", b)),
        );
        return predictions(&chosen, &targets).map(|text| (0, text));
    }
    let dir = std::env::var_os("FAULTLINE_REPRO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../repro")));
    let script = dir.join("run");
    if !script.is_file() {
        return Err(usage(format!(
            "the harness {} is missing: run faultline repro from a faultline checkout, or \
             set FAULTLINE_REPRO_DIR to its repro/ folder",
            script.display()
        )));
    }
    let mut cmd = Command::new(&script);
    if let Some(k) = &a.kernel {
        cmd.arg("--kernel").arg(k);
    }
    if let Some(d) = &a.design {
        cmd.arg("--design").arg(d);
    }
    let status = cmd
        .args(&a.cases)
        .status()
        .map_err(|e| usage(format!("cannot run {}: {e}", script.display())))?;
    Ok((
        match status.code() {
            Some(0) => 0,
            Some(1) => 1,
            _ => 2,
        },
        String::new(),
    ))
}

/// `PREDICT kernel=6.12 case=h2 predicted=HANG killable=yes hung_task=no ...` lines.
fn predictions(chosen: &[&'static Case], targets: &[(&str, &Build)]) -> Result<String, CliError> {
    let mut out = String::new();
    for (k, b) in targets {
        // a kernel built from source is named by its series: 7.2+v2
        let label = if b.series == STOCK.series {
            k.to_string()
        } else {
            format!("{k}+{}", b.series)
        };
        for c in chosen {
            let p = predict_for(c, k, b).map_err(|e| usage(e.to_string()))?;
            let _ = write!(
                out,
                "PREDICT kernel={label} case={} predicted={}",
                c.name,
                if p.case_hangs(c) { "HANG" } else { "COMPLETE" }
            );
            if let Some(s) = p.stuck.iter().find(|s| s.is(c.stuck)) {
                let yes = |b: bool| if b { "yes" } else { "no" };
                let _ = write!(
                    out,
                    " killable={} hung_task={} stuck={}",
                    yes(s.killable()),
                    yes(s.hung_task()),
                    c.stuck.join(",")
                );
            }
            let _ = writeln!(
                out,
                " deadlock-states={} states={}",
                p.stuck.len(),
                p.stats.states
            );
        }
    }
    Ok(out)
}
