//! SPIN against faultline on the same machine: the deadlock verdict, and with every
//! reduction off on both sides, the number of states stored. SPIN runs our semantics
//! re-expressed in Promela by another program, so agreement checks the step function
//! itself, which loom and shuttle (running our own step function) cannot.
//!
//! Both sides count the whole space: faultline with a liveness property beside
//! deadlock (so the search does not stop at the first deadlock), pan with `-c0`.

use std::process::Command;

use faultline_checker::{Budget, Property, Verdict, explore};
use faultline_promela::pan::{PanOptions, verify};

/// Cells of the matrix with at most this many states run; the rest (many-faults'
/// default of 3 faults, 140,945 to 409,158 states) would cost CI minutes, and
/// many-faults is covered by its own rows below.
const SMALL: u64 = 20_000;

/// A cell: design, scenario, knob settings.
type Cell = (&'static str, &'static str, Vec<(String, String)>);

fn cells() -> Vec<Cell> {
    let mut cells: Vec<Cell> = Vec::new();
    for s in faultline_models::SCENARIOS {
        if s.id == "many-faults" {
            continue;
        }
        for d in faultline_models::DESIGNS {
            cells.push((d.id, s.id, Vec::new()));
        }
    }
    // Knobs that reach code the defaults do not: the rwsem handoff (steal), uffd,
    // bounded reclaim, a stale VMA handle, the kernel-test scenarios.
    let knob = |d, s, k: &str, v: &str| (d, s, vec![(k.to_string(), v.to_string())]);
    cells.extend([
        knob("upstream", "tried-fuse", "admission", "steal"),
        knob("vma-retry", "tried-fuse", "writer-vma", "same"),
        knob("two-flag", "tried-fuse", "writer-vma", "same"),
        knob("upstream", "fork-fuse", "server", "uffd"),
        knob("hold-io", "fork-fuse", "server", "uffd"),
        knob("upstream", "evict-retry", "evictions", "2"),
        knob("vma-retry", "evict-retry", "relookup", "keep-pointer"),
        knob("upstream", "fork-copy", "fork-lock", "none"),
        knob("upstream", "fork-guard", "fork-lock", "anon-vma"),
    ]);
    // Hz9: a fault on a VM_UFFD_WP map while fork (not VMA-locking it) copies it.
    cells.push((
        "upstream",
        "fork-guard",
        vec![
            ("fork-lock".into(), "none".into()),
            ("vma".into(), "uffd-wp".into()),
        ],
    ));
    for s in faultline_models::KERNEL_SCENARIOS {
        for d in ["upstream", "hold-io"] {
            cells.push((d, s.id, Vec::new()));
        }
    }
    for d in ["upstream", "hold-io"] {
        for f in ["1", "2", "3"] {
            cells.push((d, "many-faults", vec![("faults".into(), f.into())]));
        }
    }
    cells
}

/// faultline's full state count and whether a deadlock is reachable.
fn faultline_side(m: &faultline_protocol::Machine) -> Result<(u64, bool), String> {
    let report = explore(
        m,
        &[Property::Deadlock, Property::Livelock],
        &Budget::default(),
    )
    .map_err(|e| e.to_string())?;
    if report.stats.full_states != Some(report.stats.states) {
        return Err("faultline did not explore the whole space".into());
    }
    let deadlock = matches!(report.results[0].verdict, Verdict::Violated(_));
    Ok((report.stats.states, deadlock))
}

/// Checks one cell; `Ok(None)` when it is too big for this test.
fn agree((d, s, sets): &Cell) -> Result<Option<(u64, bool)>, String> {
    let what = format!("{d} x {s} {sets:?}");
    let model = faultline_models::build(d, s, sets).map_err(|e| format!("{what}: {e}"))?;
    let (states, deadlock) = faultline_side(&model.machine).map_err(|e| format!("{what}: {e}"))?;
    if states > SMALL && *s != "many-faults" {
        return Ok(None);
    }
    let text =
        faultline_promela::export(&model.machine, &what).map_err(|e| format!("{what}: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| format!("{what}: {e}"))?;
    let pan =
        verify(&text, dir.path(), &PanOptions::default()).map_err(|e| format!("{what}: {e}"))?;
    if pan.assertion {
        return Err(format!("{what}: SPIN found a model error:\n{}", pan.text));
    }
    if pan.states != states || pan.invalid_end != deadlock {
        return Err(format!(
            "{what}: SPIN stored {} states, invalid end state {}; faultline {states} states, \
             deadlock {deadlock}",
            pan.states, pan.invalid_end
        ));
    }
    Ok(Some((states, deadlock)))
}

#[test]
fn spin_agrees_with_faultline_on_small_catalog_cells() {
    // The feature promises the tools: missing ones fail here, never skip.
    for tool in ["spin", "gcc"] {
        let found = Command::new(tool)
            .arg(if tool == "spin" { "-V" } else { "--version" })
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "feature `spin` is on but `{tool}` is not installed (apt-get install -y spin gcc)"
        );
    }
    let cells = cells();
    // Two workers: compiling pan.c dominates, and CI has two cores.
    let results: Vec<Result<Option<(u64, bool)>, String>> = std::thread::scope(|scope| {
        let (a, b) = cells.split_at(cells.len() / 2);
        let ha = scope.spawn(|| a.iter().map(agree).collect::<Vec<_>>());
        let hb = scope.spawn(|| b.iter().map(agree).collect::<Vec<_>>());
        let mut r = ha.join().expect("worker");
        r.extend(hb.join().expect("worker"));
        r
    });
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut deadlocks = 0;
    for (cell, r) in cells.iter().zip(results) {
        match r {
            Ok(Some((states, dl))) => {
                eprintln!(
                    "agree: {} x {} {:?}: {states} states, deadlock {dl}",
                    cell.0, cell.1, cell.2
                );
                checked += 1;
                deadlocks += usize::from(dl);
            }
            Ok(None) => eprintln!("{} x {}: over {SMALL} states, not run", cell.0, cell.1),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The agreement must cover both verdicts, or it proves little.
    assert!(checked >= 50, "only {checked} cells checked");
    assert!(
        deadlocks >= 2,
        "only {deadlocks} deadlocking cells among those checked"
    );
    eprintln!("SPIN agrees on {checked} cells ({deadlocks} with a deadlock)");
}
