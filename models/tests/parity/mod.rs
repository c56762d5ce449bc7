//! Parity: every catalog `.fl` file compiles to the same machine as the Rust builder it
//! replaces, for every design x scenario x knob combination, and explores to the same
//! state counts and verdicts in every pinned matrix cell.
//!
//! "Same machine" means the same threads (name, role, and program: each op with its
//! jump resolved to a program counter), VMAs, folios, admission and reclaim. Sites
//! (the kernel function an instruction sits in) are not compared: the text names them
//! after the function that holds the call (`release_fault_lock`, `drop_for_io`) where
//! the builders reused the caller's name; sites only label traces and change no state.

use faultline_checker::{Budget, Property, explore};
use faultline_models::{DESIGNS, KERNEL_SCENARIOS, KnobKind, SCENARIOS, knob_defs};
use faultline_protocol::{Label, Machine, Op, Program};

pub(crate) fn catalog() -> faultline_lang::Catalog {
    let mut c = faultline_lang::Catalog::new();
    for (name, text) in faultline_models::CATALOG_FILES {
        if let Err(e) = c.load(name, text) {
            panic!("{}", e.render());
        }
    }
    c
}

/// An op with its jump target resolved to a program counter.
fn resolved(op: Op, p: &Program) -> Op {
    let t = |l: Label| Label(u16::from(p.target(l)));
    match op {
        Op::MmapReadTrylock { fail } => Op::MmapReadTrylock { fail: t(fail) },
        Op::LockVmaUnderRcu { vma, fail } => Op::LockVmaUnderRcu { vma, fail: t(fail) },
        Op::FindVma { vma, missing } => Op::FindVma {
            vma,
            missing: t(missing),
        },
        Op::VmaStartRead { fail } => Op::VmaStartRead { fail: t(fail) },
        Op::IfAnonVma { vma, then } => Op::IfAnonVma { vma, then: t(then) },
        Op::FilemapGetFolio { folio, absent } => Op::FilemapGetFolio {
            folio,
            absent: t(absent),
        },
        Op::IfFolioUptodate { then } => Op::IfFolioUptodate { then: t(then) },
        Op::FolioTrylock { fail } => Op::FolioTrylock { fail: t(fail) },
        Op::HandleUserfault { folio, present } => Op::HandleUserfault {
            folio,
            present: t(present),
        },
        Op::IfFlag { flag, then } => Op::IfFlag {
            flag,
            then: t(then),
        },
        Op::Goto(l) => Op::Goto(t(l)),
        Op::Choose { alt } => Op::Choose { alt: t(alt) },
        other => {
            assert!(
                other.label().is_none(),
                "{other:?} has a label parity does not resolve"
            );
            other
        }
    }
}

/// The first difference between two machines, if any.
fn difference(rust: &Machine, text: &Machine) -> Option<String> {
    if rust.vmas() != text.vmas() {
        return Some(format!("VMAs {:?} vs {:?}", rust.vmas(), text.vmas()));
    }
    if rust.folios() != text.folios() {
        return Some(format!("folios {:?} vs {:?}", rust.folios(), text.folios()));
    }
    if rust.admission() != text.admission() || rust.reclaim() != text.reclaim() {
        return Some("admission or reclaim".into());
    }
    if rust.threads().len() != text.threads().len() {
        return Some(format!(
            "{} vs {} threads",
            rust.threads().len(),
            text.threads().len()
        ));
    }
    for (a, b) in rust.threads().iter().zip(text.threads()) {
        if a.name != b.name || a.role != b.role || a.process != b.process {
            return Some(format!(
                "thread {}/{:?}/{:?} vs {}/{:?}/{:?}",
                a.name, a.role, a.process, b.name, b.role, b.process
            ));
        }
        let ops = |p: &Program| p.ops().map(|o| resolved(o, p)).collect::<Vec<_>>();
        let (x, y) = (ops(&a.program), ops(&b.program));
        if x != y {
            let at = x
                .iter()
                .zip(&y)
                .position(|(p, q)| p != q)
                .unwrap_or(x.len().min(y.len()));
            return Some(format!(
                "thread {}: first difference at pc {at}: {:?} vs {:?}\nrust: {x:?}\ntext: {y:?}",
                a.name,
                x.get(at),
                y.get(at)
            ));
        }
    }
    None
}

/// Every combination of `defs`' values.
fn combinations(defs: &[&faultline_models::KnobDef]) -> Vec<Vec<(String, String)>> {
    let mut out = vec![Vec::new()];
    for d in defs {
        let values: Vec<String> = match d.kind {
            KnobKind::Choice(v) => v.iter().map(|s| s.to_string()).collect(),
            KnobKind::Number { min, max } => (min..=max).map(|n| n.to_string()).collect(),
        };
        out = out
            .into_iter()
            .flat_map(|base| {
                values.iter().map(move |v| {
                    let mut s = base.clone();
                    s.push((d.name.to_string(), v.clone()));
                    s
                })
            })
            .collect();
    }
    out
}

#[test]
fn every_catalog_file_compiles_to_the_rust_builders_machine_for_every_knob_combination() {
    let cat = catalog();
    let mut compared = 0;
    let mut waits = std::collections::BTreeSet::new();
    for d in DESIGNS {
        for s in SCENARIOS.iter().chain(KERNEL_SCENARIOS) {
            let defs = knob_defs(d, s);
            let text_knobs = cat.build(d.id, s.id, &[]).expect("builds").knobs;
            let names: Vec<&str> = defs.iter().map(|k| k.name).collect();
            let text_names: Vec<&str> = text_knobs.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(names, text_names, "knobs of {} x {}", d.id, s.id);
            for sets in combinations(&defs) {
                let rust = faultline_models::build(d.id, s.id, &sets).expect("rust builds");
                let text = cat
                    .build(d.id, s.id, &sets)
                    .unwrap_or_else(|e| panic!("{} x {} {sets:?}: {e}", d.id, s.id));
                if let Some(diff) = difference(&rust.machine, &text.machine) {
                    panic!("{} x {} {sets:?}: {diff}", d.id, s.id);
                }
                let kernel = faultline_models::Kernel::of(&rust.knobs);
                if let Some(diff) = wait_difference(kernel, &rust.machine, &text.machine) {
                    waits.insert(diff);
                }
                compared += 1;
            }
        }
    }
    assert!(
        waits.is_empty(),
        "kernel waits differ:\n{}",
        waits.into_iter().collect::<Vec<_>>().join("\n")
    );
    // 48 cells; the knob cross products are what make it large.
    assert!(compared > 10_000, "{compared}");
    eprintln!("parity: {compared} knob combinations compile to identical machines");
}

/// The first instruction whose kernel wait (function, killable) differs: the text names
/// sites after the function holding the call, and `models::wait` reads them.
fn wait_difference(
    kernel: faultline_models::Kernel,
    rust: &Machine,
    text: &Machine,
) -> Option<String> {
    for (a, b) in rust.threads().iter().zip(text.threads()) {
        for pc in 0..a.program.len() {
            let pc = pc as u8;
            // Frames are not compared: the text's lock_folio_maybe_drop_mmap serves
            // filemap_fault and do_swap_page, so its frames cannot name filemap_fault.
            let x =
                faultline_models::wait_at(kernel, &a.program, pc).map(|w| (w.function, w.sleep));
            let y =
                faultline_models::wait_at(kernel, &b.program, pc).map(|w| (w.function, w.sleep));
            let site = |p: &Program| p.get(pc).map(|i| (i.op, i.site));
            // The builder sited do_swap_page's TRIED-pass lock in do_swap_page
            // (`__folio_lock`); the kernel's __folio_lock_or_retry takes
            // __folio_lock_killable under FAULT_FLAG_KILLABLE (in FAULT_FLAG_DEFAULT),
            // as the text's shared lock_folio_maybe_drop_mmap says.
            let swap_lock = site(&a.program) == Some((Op::FolioLock, "do_swap_page"))
                && site(&b.program) == Some((Op::FolioLock, "lock_folio_maybe_drop_mmap"));
            if x != y && !swap_lock {
                return Some(format!(
                    "{kernel:?}: {:?} vs {:?}: {:?} vs {:?}",
                    site(&a.program),
                    site(&b.program),
                    x,
                    y
                ));
            }
        }
    }
    None
}

/// A design, a scenario and knob settings.
type Cell = (&'static str, &'static str, Vec<(String, String)>);

/// The matrix cells and knob variants `cli/tests/matrix` pins, plus the benchmarks'.
fn pinned() -> Vec<Cell> {
    let mut v = Vec::new();
    let set = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, x)| (k.to_string(), x.to_string()))
            .collect::<Vec<_>>()
    };
    let variants: &[(&str, &[(&str, &str)])] = &[
        ("fork-copy", &[("fork-lock", "none")]),
        ("fork-copy", &[("fork-lock", "anon-cow")]),
        ("fork-copy", &[("fork-lock", "anon-vma")]),
        ("evict-retry", &[("vma-retry-tried", "off")]),
        (
            "evict-retry",
            &[("vma-retry-tried", "off"), ("evictions", "4")],
        ),
        ("stale-vma", &[("relookup", "keep-pointer")]),
        ("lock-order", &[("anon-prepare", "lock")]),
        ("folio-holder", &[("holder-waits", "mmap")]),
        (
            "fork-fuse",
            &[("fork-lock", "anon-cow"), ("mapping", "shared")],
        ),
        (
            "fork-io",
            &[("fork-lock", "anon-cow"), ("mapping", "shared")],
        ),
        ("fork-fuse", &[("evictions", "1")]),
        ("fork-fuse", &[("server", "uffd")]),
        ("fork-fuse", &[("order", "file-first")]),
        ("tried-fuse", &[("evictions", "0")]),
        ("tried-fuse", &[("writer-vma", "same")]),
        ("tried-fuse", &[("server", "uffd")]),
        ("writer-io", &[("page", "swap")]),
        ("writer-io", &[("page", "zram"), ("writer", "munmap")]),
        ("many-faults", &[("faults", "1")]),
        ("fork-fuse", &[("server-buffer", "swapped")]),
        (
            "tried-fuse",
            &[("server-buffer", "swapped"), ("server-fault", "user")],
        ),
        // The kernel scenarios: each knob value off the default.
        ("kernel-h2", &[]),
        ("kernel-h2", &[("kernel", "6.1")]),
        ("kernel-h2", &[("kernel", "6.4-6.7")]),
        ("kernel-h2", &[("kernel", "6.12")]),
        ("kernel-h2", &[("eviction", "none")]),
        ("kernel-h2", &[("writer", "madv-collapse")]),
        ("kernel-h2", &[("writer", "stack-expansion")]),
        ("kernel-h2", &[("writer", "none")]),
        ("kernel-h2", &[("daemon", "proc-cmdline")]),
        ("kernel-h2", &[("daemon", "quiet")]),
        ("kernel-wb", &[]),
        ("kernel-wb", &[("kernel", "6.1")]),
        ("kernel-wb", &[("writer", "mlock")]),
        ("kernel-wb", &[("writer", "madvise")]),
        ("kernel-wb", &[("writer", "mremap")]),
        ("kernel-wb", &[("writer", "fork")]),
        (
            "kernel-wb",
            &[("writer", "fork"), ("fork-lock", "anon-cow")],
        ),
        ("kernel-wb", &[("writer", "none")]),
        ("kernel-wb", &[("buffer", "warm")]),
    ];
    for d in DESIGNS {
        for s in SCENARIOS {
            v.push((d.id, s.id, Vec::new()));
            v.push((
                d.id,
                s.id,
                set(&[("relookup", "keep-pointer"), ("fork-lock", "none")]),
            ));
        }
        for (s, sets) in variants {
            v.push((d.id, *s, set(sets)));
        }
    }
    // A knob the design does not have is left out for that design, as `matrix` does.
    v.into_iter()
        .map(|(d, s, sets)| {
            let defs = knob_defs(
                faultline_models::design(d).expect("d"),
                faultline_models::scenario(s).expect("s"),
            );
            let sets = sets
                .into_iter()
                .filter(|(k, _)| defs.iter().any(|x| x.name == k))
                .collect();
            (d, s, sets)
        })
        .collect()
}

#[test]
fn pinned_cells_explore_to_the_same_state_counts_and_verdicts() {
    let cat = catalog();
    let mut table = String::from(
        "| design | scenario | knobs | states | transitions | verdicts |\n|---|---|---|---:|---:|---|\n",
    );
    for (d, s, sets) in pinned() {
        let rust = faultline_models::build(d, s, &sets).expect("rust builds");
        let text = cat.build(d, s, &sets).expect("text builds");
        let props: Vec<Property> = rust
            .scenario
            .properties
            .iter()
            .map(|p| Property::parse(p).expect("property"))
            .collect();
        let a = explore(&rust.machine, &props, &Budget::default()).expect("explores");
        let b = explore(&text.machine, &props, &Budget::default()).expect("explores");
        let verdicts = |r: &faultline_checker::Report| {
            r.results
                .iter()
                .map(|x| format!("{}={}", x.property.id(), x.verdict.status()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            (a.stats.states, a.stats.transitions, verdicts(&a)),
            (b.stats.states, b.stats.transitions, verdicts(&b)),
            "{d} x {s} {sets:?}"
        );
        let knobs = sets
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        table.push_str(&format!(
            "| {d} | {s} | {knobs} | {} | {} | {} |\n",
            b.stats.states,
            b.stats.transitions,
            verdicts(&b)
        ));
    }
    if let Ok(path) = std::env::var("FAULTLINE_PARITY_TABLE") {
        std::fs::write(path, table).expect("writes the table");
    }
}
