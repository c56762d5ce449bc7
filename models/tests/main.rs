//! Pinned verdicts of the catalog, computed by the native engine and compared with the
//! expectations of kernel-semantics section 5: the H1/H2 deadlock cycles, liveness
//! lassos, latency chains and budgets. State counts are pinned too, so any change in
//! semantics shows up here. (The whole design x scenario matrix is pinned through the
//! command line, in cli/tests/matrix.)
//!
//! Modules: `parity` (the `.fl` catalog against the Rust builders), `kill` (kill -9 and
//! hung_task at the kernel deadlocks).

mod kill;
mod parity;

use faultline_checker::{Budget, Limit, Property, Report, Verdict, explore, replay};
use faultline_protocol::Step;
use faultline_traces::Trace;

/// Knob settings as `(name, value)` pairs.
type Sets<'a> = &'a [(&'a str, &'a str)];

fn check(
    design: &str,
    scenario: &str,
    knobs: &[(&str, &str)],
) -> (faultline_models::Model, Report) {
    check_props(
        design,
        scenario,
        knobs,
        &[Property::Deadlock],
        &Budget::default(),
    )
}

fn deadlock(report: &Report) -> &Verdict {
    &report.results[0].verdict
}

/// The cycle as node names, and the counterexample trace.
fn cycle(report: &Report) -> (Vec<String>, &Trace) {
    let Verdict::Violated(cx) = deadlock(report) else {
        panic!("expected a deadlock, got {}", deadlock(report).status())
    };
    let names = cx
        .wait_for
        .cycle()
        .iter()
        .map(|&n| cx.wait_for.name(n).to_string())
        .collect();
    (names, &cx.trace)
}

#[test]
fn hold_io_fork_fuse_deadlocks_fault_fuse_fork_cycle() {
    // H1 under D2: the fault holds VMA F's read lock while FUSE serves the read; fork
    // holds mmap_lock for write and waits for F's readers; the server's copy_to_user
    // fault needs mmap_lock.
    let (_, report) = check("hold-io", "fork-fuse", &[]);
    let (names, trace) = cycle(&report);
    assert_eq!(
        names,
        [
            "T0 fault",
            "folio f",
            "FUSE I/O",
            "T2 fuse",
            "mmap_lock",
            "T1 fork",
            "VMA F"
        ]
    );
    let Verdict::Violated(cx) = deadlock(&report) else {
        unreachable!()
    };
    let edges = cx.wait_for.cycle_edges();
    assert!(
        edges.contains(&("mmap_lock", "is write-held by", "T1 fork")),
        "{edges:?}"
    );
    assert!(
        edges.contains(&("VMA F", "is read-held by", "T0 fault")),
        "{edges:?}"
    );
    assert_eq!(trace.len(), 11, "shortest counterexample");
    assert_eq!(report.stats.states, 73);
}

#[test]
fn upstream_fork_fuse_holds_for_every_mapping_order_and_server_fault() {
    // D0 drops the VMA lock before waiting for FUSE, so fork never waits on the I/O.
    let pinned = [
        ("private", "buffer-first", "kernel", 209),
        ("private", "buffer-first", "user", 245),
        ("private", "file-first", "kernel", 212),
        ("private", "file-first", "user", 266),
        ("shared", "buffer-first", "kernel", 209),
        ("shared", "buffer-first", "user", 245),
        ("shared", "file-first", "kernel", 212),
        ("shared", "file-first", "user", 266),
    ];
    for (mapping, order, server, states) in pinned {
        let knobs = [
            ("mapping", mapping),
            ("order", order),
            ("server-fault", server),
        ];
        let (_, report) = check("upstream", "fork-fuse", &knobs);
        assert!(matches!(deadlock(&report), Verdict::Holds), "{knobs:?}");
        assert_eq!(report.stats.states, states, "{knobs:?}");
    }
}

#[test]
fn hold_io_with_anon_cow_fork_lock_saves_shared_mappings_only() {
    // fork-lock=anon-cow skips MAP_SHARED F, so fork no longer waits for the fault.
    let (_, report) = check(
        "hold-io",
        "fork-fuse",
        &[("fork-lock", "anon-cow"), ("mapping", "shared")],
    );
    assert!(matches!(deadlock(&report), Verdict::Holds));
    assert_eq!(report.stats.states, 131);
    // A private file mapping is COW (is_cow_mapping), so fork still locks it.
    let (_, report) = check(
        "hold-io",
        "fork-fuse",
        &[("fork-lock", "anon-cow"), ("mapping", "private")],
    );
    let (names, _) = cycle(&report);
    assert!(names.contains(&"VMA F".to_string()) && names.contains(&"T1 fork".to_string()));
    assert_eq!(report.stats.states, 73);
}

/// The H2 hang: the TRIED pass holds `mmap_read_lock` across a FUSE read, `writer`
/// queues for write, and the server's `mmap_read_lock` queues behind it.
fn assert_h2_cycle(report: &Report, writer: &str) -> usize {
    let (names, trace) = cycle(report);
    assert_eq!(
        names,
        [
            "T0 fault",
            "folio f",
            "FUSE I/O",
            "T2 fuse",
            writer,
            "mmap_lock"
        ]
    );
    assert!(
        trace.steps().any(|s| matches!(s, Step::Evict(_))),
        "needs the eviction"
    );
    trace.len()
}

#[test]
fn upstream_tried_fuse_deadlocks_after_an_eviction_between_the_passes() {
    // H2, a hang that exists today, with an mprotect elsewhere as the writer.
    let (_, report) = check("upstream", "tried-fuse", &[("evictions", "1")]);
    assert_eq!(assert_h2_cycle(&report, "T1 mprotect"), 24);
    assert_eq!(report.stats.states, 157);

    let (_, report) = check("upstream", "tried-fuse", &[("evictions", "0")]);
    assert!(matches!(deadlock(&report), Verdict::Holds));
    assert_eq!(report.stats.states, 118);
}

#[test]
fn upstream_fork_fuse_deadlocks_once_reclaim_evicts_between_the_passes() {
    // The H2 shape with fork as the queued writer: with reclaim on, today's kernel hangs
    // too. fork-fuse keeps reclaim off by default to isolate H1.
    let (_, report) = check("upstream", "fork-fuse", &[("evictions", "1")]);
    assert_eq!(assert_h2_cycle(&report, "T1 fork"), 24);
    assert_eq!(report.stats.states, 248);
}

#[test]
fn tried_fuse_deadlocks_with_reader_stealing_too() {
    // admission=steal does not help: a reader may steal only a free rwsem, and the TRIED
    // pass holds it for read (rwsem_down_read_slowpath queues when RWSEM_READER_OWNED
    // with another reader's bias). Regression: reclaim and handoff steps once hid the
    // deadlock for a step, because the property counted them as progress.
    let (_, report) = check("upstream", "tried-fuse", &[("admission", "steal")]);
    let (names, trace) = cycle(&report);
    assert!(names.contains(&"T1 mprotect".to_string()));
    assert!(
        !trace.steps().any(|s| s == Step::Handoff),
        "{}",
        trace.token()
    );
    assert_eq!(trace.len(), 24);
    assert_eq!(report.stats.states, 195);
}

#[test]
fn tried_fuse_needs_the_kernel_mode_server_fault() {
    // With server-fault=user (linux-mm x86 tries the VMA lock for uaccess faults too),
    // the second request's buffer fault finds anon_vma set and never needs mmap_lock.
    // This rests on the buffer fault being a first touch (do_anonymous_page).
    let (_, report) = check("upstream", "tried-fuse", &[("server-fault", "user")]);
    assert!(matches!(deadlock(&report), Verdict::Holds));
    assert_eq!(report.stats.states, 216);
}

#[test]
fn a_swapped_out_server_buffer_deadlocks_tried_fuse_even_with_user_mode_faults() {
    // Review item 27: a reclaimed buffer page comes back through do_swap_page, whose
    // first try under B's VMA lock drops it and returns RETRY|MAJOR; the TRIED retry
    // takes mmap_read_lock, queued behind the writer.
    let sets = [("server-fault", "user"), ("server-buffer", "swapped")];
    let (_, report) = check("upstream", "tried-fuse", &sets);
    let (names, _) = cycle(&report);
    assert!(names.contains(&"T2 fuse".to_string()), "{names:?}");
}

#[test]
fn the_kernel_scenarios_hang_on_6_1_and_6_12_and_their_controls_do_not() {
    let hangs = |scenario: &str, sets: Sets<'_>| {
        let (_, r) = check("upstream", scenario, sets);
        matches!(deadlock(&r), Verdict::Violated(_))
    };
    for kernel in ["6.1", "6.12", "newest"] {
        let k = ("kernel", kernel);
        assert!(hangs("kernel-h2", &[k]), "{kernel}");
        assert!(
            hangs("kernel-h2", &[k, ("daemon", "proc-cmdline")]),
            "{kernel}"
        );
        assert!(
            hangs("kernel-h2", &[k, ("writer", "madv-collapse")]),
            "{kernel}"
        );
        assert!(
            hangs("kernel-h2", &[k, ("writer", "stack-expansion")]),
            "{kernel}"
        );
        assert!(!hangs("kernel-h2", &[k, ("eviction", "none")]), "{kernel}");
        assert!(!hangs("kernel-h2", &[k, ("writer", "none")]), "{kernel}");
        assert!(!hangs("kernel-h2", &[k, ("daemon", "quiet")]), "{kernel}");
        for w in ["mprotect", "mlock", "madvise", "mremap"] {
            assert!(hangs("kernel-wb", &[k, ("writer", w)]), "{kernel} {w}");
        }
        assert!(!hangs("kernel-wb", &[k, ("writer", "none")]), "{kernel}");
        assert!(!hangs("kernel-wb", &[k, ("buffer", "warm")]), "{kernel}");
    }
    // fork-lock=anon-cow exempts the shared VMA from dup_mmap's locks: fork leaves the
    // WB cycle on kernels with VMA locks; every other writer of the VMA stays in it.
    for kernel in ["6.12", "newest"] {
        let k = ("kernel", kernel);
        assert!(hangs("kernel-wb", &[k, ("writer", "fork")]), "{kernel}");
        let anon_cow = ("fork-lock", "anon-cow");
        assert!(
            !hangs("kernel-wb", &[k, ("writer", "fork"), anon_cow]),
            "{kernel}"
        );
        for w in ["mprotect", "mlock", "madvise", "mremap"] {
            assert!(
                hangs("kernel-wb", &[k, ("writer", w), anon_cow]),
                "{kernel} {w}"
            );
        }
    }
    // 6.1 has no VMA locks: fork queues on mmap_lock behind the fault whatever it locks.
    let old = [
        ("kernel", "6.1"),
        ("writer", "fork"),
        ("fork-lock", "anon-cow"),
    ];
    assert!(hangs("kernel-wb", &old));
    // 6.4-6.7: the mmap_lock pass after the VMA-lock RETRY is not TRIED, so one
    // eviction is not enough for the in-process H2 (it drops the lock again).
    assert!(!hangs("kernel-h2", &[("kernel", "6.4-6.7")]));
}

#[test]
fn every_counterexample_replays_to_a_deadlock() {
    let cases: [(&str, &str, Sets); 4] = [
        ("hold-io", "fork-fuse", &[]),
        (
            "hold-io",
            "fork-fuse",
            &[("order", "file-first"), ("server-fault", "user")],
        ),
        ("upstream", "tried-fuse", &[]),
        (
            "upstream",
            "tried-fuse",
            &[("admission", "steal"), ("evictions", "2")],
        ),
    ];
    for (d, s, knobs) in cases {
        let (model, report) = check(d, s, knobs);
        let (_, trace) = cycle(&report);
        let steps = Trace::parse_token(&trace.token()).expect("token parses");
        let r = replay(&model.machine, &steps, &[Property::Deadlock]).expect("replays");
        assert_eq!(r.violated, [Property::Deadlock], "{d} {s} {knobs:?}");
        assert_eq!(r.trace.last(), trace.last());
    }
}

#[test]
fn many_faults_state_counts() {
    for (design, faults, states) in [
        ("upstream", "1", 751),
        ("upstream", "2", 13_859),
        ("hold-io", "1", 492),
        ("hold-io", "2", 6_780),
    ] {
        // hold-under=vma: the design these counts were taken for (issue 16 made
        // holding under mmap_lock too the default).
        let sets = [("faults", faults), ("hold-under", "vma")];
        let sets = if design == "hold-io" {
            &sets[..]
        } else {
            &sets[..1]
        };
        let (_, report) = check(design, "many-faults", sets);
        assert!(
            matches!(deadlock(&report), Verdict::Holds),
            "{design} faults={faults}"
        );
        assert_eq!(report.stats.states, states, "{design} faults={faults}");
    }
}

#[test]
fn a_state_budget_ends_inconclusive_never_holds() {
    let model = faultline_models::build("upstream", "many-faults", &[]).expect("builds");
    let budget = Budget {
        max_states: 1000,
        ..Budget::default()
    };
    let report = explore(&model.machine, &[Property::Deadlock], &budget).expect("runs");
    let Verdict::Inconclusive(Limit::States {
        max: 1000,
        unexplored,
    }) = deadlock(&report)
    else {
        panic!("expected inconclusive, got {}", deadlock(&report).status())
    };
    assert!(*unexplored > 0);
    assert!(report.stats.states <= 1000, "the budget is never overshot");

    let budget = Budget {
        max_bytes: 1 << 20,
        ..Budget::default()
    };
    let report = explore(&model.machine, &[Property::Deadlock], &budget).expect("runs");
    assert!(
        matches!(
            deadlock(&report),
            Verdict::Inconclusive(Limit::Memory { .. })
        ),
        "{}",
        deadlock(&report).status()
    );
    assert!(report.stats.bytes <= 1 << 20, "{}", report.stats.bytes);
}

fn check_props(
    design: &str,
    scenario: &str,
    knobs: &[(&str, &str)],
    props: &[Property],
    budget: &Budget,
) -> (faultline_models::Model, Report) {
    let sets: Vec<_> = knobs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let model = faultline_models::build(design, scenario, &sets).expect("catalog builds");
    let report = explore(&model.machine, props, budget).expect("no model error");
    (model, report)
}

#[test]
fn the_non_tried_vma_retry_livelock_is_a_fair_lasso_that_replays() {
    let props = [Property::Deadlock, Property::Livelock, Property::Starvation];
    let knobs = [("vma-retry-tried", "off")];
    let (model, report) = check_props(
        "vma-retry",
        "evict-retry",
        &knobs,
        &props,
        &Budget::default(),
    );
    assert!(
        matches!(report.results[0].verdict, Verdict::Holds),
        "no deadlock"
    );
    let Verdict::Violated(cx) = &report.results[1].verdict else {
        panic!(
            "expected a livelock, got {}",
            report.results[1].verdict.status()
        )
    };
    let start = cx.cycle_from.expect("a lasso");
    let steps: Vec<Step> = cx.trace.steps().collect();
    // The cycle re-reads the folio after reclaim evicted it, without FAULT_FLAG_TRIED.
    assert!(steps[start..].contains(&Step::Evict(faultline_protocol::FolioId(0))));
    assert!(steps[start..].contains(&Step::IoDone(faultline_protocol::FolioId(0))));
    let lasso = faultline_traces::Lasso::replay(&model.machine, &steps[..start], &steps[start..])
        .expect("the cycle returns to its start");
    assert_eq!(lasso.loop_start(), start);
    let r = replay(&model.machine, &steps, &props).expect("replays");
    assert_eq!(r.violated, [Property::Livelock, Property::Starvation]);
    assert_eq!(report.stats.states, 19);

    // TRIED bounds the retries: the second pass holds the VMA lock across the read.
    let (_, report) = check_props("vma-retry", "evict-retry", &[], &props, &Budget::default());
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Holds))
    );
    let (_, report) = check_props("upstream", "evict-retry", &[], &props, &Budget::default());
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Holds))
    );
}

#[test]
fn liveness_on_a_graph_over_its_memory_share_is_inconclusive_never_holds() {
    // Regression: liveness needs every transition; when they outgrow a quarter of the
    // memory budget the safety verdicts stand but liveness is not decided.
    let budget = Budget {
        max_bytes: 2 << 20,
        ..Budget::default()
    };
    let props = [Property::Deadlock, Property::Livelock];
    let (_, report) = check_props(
        "upstream",
        "many-faults",
        &[("faults", "2")],
        &props,
        &budget,
    );
    assert!(matches!(report.results[0].verdict, Verdict::Holds));
    assert!(
        matches!(
            report.results[1].verdict,
            Verdict::Inconclusive(Limit::LivenessGraph { .. })
        ),
        "{}",
        report.results[1].verdict.status()
    );
}

#[test]
fn a_latency_counterexample_ends_with_the_writer_blocked_on_an_io_chain() {
    let (model, report) = check_props(
        "hold-io",
        "writer-io",
        &[],
        &[Property::WriterWaitsIo],
        &Budget::default(),
    );
    let Verdict::Violated(cx) = &report.results[0].verdict else {
        panic!("expected latency")
    };
    let chain = model
        .machine
        .waits_on_io(cx.trace.last(), faultline_protocol::Tid(1))
        .expect("the writer waits on I/O");
    assert_eq!(chain.len(), 2, "mprotect -> the faulting reader -> disk");
    // D0 drops the VMA lock before the read: the writer never waits on it.
    let (_, report) = check_props(
        "upstream",
        "writer-io",
        &[("page", "swap"), ("writer", "munmap")],
        &[Property::WriterWaitsIo, Property::VmaUse],
        &Budget::default(),
    );
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Holds))
    );
}

#[test]
fn the_uffd_handler_fills_the_page_and_the_fault_retries_until_it_is_there() {
    // No deadlock; the explored space is pinned so a handler that stops serving, or a
    // fault that stops retrying, shows up here.
    let (model, report) = check("upstream", "fork-fuse", &[("server", "uffd")]);
    assert!(matches!(deadlock(&report), Verdict::Holds));
    assert_eq!(report.stats.states, 354);
    let ops: Vec<_> = model.machine.threads()[2].program.ops().collect();
    assert!(ops.contains(&faultline_protocol::Op::UffdioCopy));
}
