//! The library API: the catalog's own `expect` clauses pass, a user design loads from
//! text and gets typed results with text and DOT counterexamples; `exists` clauses are
//! answered (witness, unreachable, over budget, bad name); replay tokens are checked
//! against their model.
//!
//! Modules: this file only.

use faultline::{CellVerdict, ClauseStatus, Faultline, Latency, Property, Status};

#[test]
fn every_catalog_expect_clause_passes() {
    let fl = Faultline::new().expect("catalog loads");
    let results = fl.test(&[]).expect("runs");
    assert!(results.len() > 30, "{}", results.len());
    for r in &results {
        assert!(
            matches!(r.status, ClauseStatus::Ok | ClauseStatus::Reachable(_)),
            "{} {} {} {:?}",
            r.at,
            r.design,
            r.text,
            r.status
        );
    }
}

#[test]
fn a_design_from_text_gets_typed_results_and_renderings() {
    let mut fl = Faultline::new().expect("catalog loads");
    fl.load_str(
        "hold.fl",
        "design hold-everything {\n\ttitle \"hold the VMA lock across every I/O\";\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\treturn fault_lock == MMAP_LOCK;\n\t}\n}\n",
    )
    .expect("compiles");
    let c = fl
        .check("hold-everything", "fork-fuse", &[])
        .expect("checks");
    let cx = c
        .violated(Property::Deadlock)
        .expect("D2-like: the H1 deadlock");
    assert!(cx.text().contains("fuse_dev_do_read"), "{}", cx.text());
    assert!(cx.dot().starts_with("digraph"), "{}", cx.dot());
    assert!(c.stats.states > 0);
    let up = fl
        .check("upstream", "fork-fuse", &[("mapping", "shared")])
        .expect("checks");
    assert!(up.holds(Property::Deadlock));
    assert!(matches!(
        up.outcome(Property::Deadlock).map(|o| &o.status),
        Some(Status::Holds)
    ));
}

#[test]
fn bad_files_and_ids_are_typed_errors() {
    let mut fl = Faultline::new().expect("catalog loads");
    let e = fl
        .load_str("bad.fl", "design x { titel \"t\"; }")
        .expect_err("bad");
    assert!(matches!(e, faultline::Error::File(_)), "{e}");
    let e = fl.check("nope", "fork-fuse", &[]).expect_err("unknown");
    assert_eq!(
        e.to_string(),
        "unknown design `nope`; valid designs: upstream, vma-retry, hold-io, hold-file, two-flag, approach3"
    );
}

/// A scenario with `exists` clauses: one reachable, one that rwsem exclusion rules out.
const EXISTS_FL: &str = "scenario my-fork-fuse {\n\ttitle \"t\";\n\tproperties deadlock;\n\tvma B = anon;\n\tvma F = private-file;\n\tfolio f = fuse absent;\n\tthread fault fault { do_user_addr_fault(user, F, FILE, f); return; }\n\tthread fork fork { dup_mmap(); return; }\n\tdaemon fuse { fuse_server(B, kernel, first-touch); }\n\texists hold-io: (waits(fuse, mmap_lock) && holds(fork, mmap_lock, write));\n\texists upstream: (holds(fork, mmap_lock, write) && holds(fault, mmap_lock));\n}\n";

#[test]
fn the_catalog_exists_clause_is_answered_with_the_shortest_witness() {
    let fl = Faultline::new().expect("catalog loads");
    let results = fl.test(&["tried-fuse.fl"]).expect("runs");
    let r = results
        .iter()
        .find(|r| r.text.starts_with("exists upstream"))
        .expect("tried-fuse has an exists clause");
    let ClauseStatus::Reachable(w) = &r.status else {
        panic!("{:?}", r.status);
    };
    assert!(w.starts_with("witness: 21 steps, shortest"), "{w}");
    assert!(w.contains("reduce=none"), "{w}");
    // The last step is the TRIED fault starting the FUSE read it then sleeps on.
    assert!(
        w.contains("21  T0 fault    do_sync_mmap_readahead(f)"),
        "{w}"
    );
}

#[test]
fn exists_clauses_reachable_unreachable_and_over_budget() {
    let mut fl = Faultline::new().expect("catalog loads");
    fl.load_str("q.fl", EXISTS_FL).expect("compiles");
    let results = fl.test(&["q.fl"]).expect("runs");
    assert_eq!(results.len(), 2);
    assert!(
        matches!(&results[0].status, ClauseStatus::Reachable(w) if w.contains("mmap_write_lock")),
        "{:?}",
        results[0].status
    );
    assert!(
        matches!(&results[1].status, ClauseStatus::Mismatch(w) if w.starts_with("unreachable: no state satisfies it; the whole space was explored")),
        "{:?}",
        results[1].status
    );
    let small = fl.with_budget(faultline::Budget {
        max_states: 5,
        ..faultline::Budget::default()
    });
    for r in small.test(&["q.fl"]).expect("runs") {
        assert!(
            matches!(&r.status, ClauseStatus::Undecided(w) if w.starts_with("no witness before the budget")),
            "{:?}",
            r.status
        );
    }
}

#[test]
fn an_exists_clause_naming_no_thread_is_a_file_error_at_load() {
    let mut fl = Faultline::new().expect("catalog loads");
    let e = fl
        .load_str("q.fl", &EXISTS_FL.replace("holds(fault,", "holds(faults,"))
        .expect_err("unknown thread");
    let text = e.to_string();
    assert!(matches!(e, faultline::Error::File(_)), "{text}");
    assert!(
        text.starts_with("q.fl:11:") && text.contains("unknown thread `faults`"),
        "{text}"
    );
}

#[test]
fn a_replay_token_is_checked_against_the_model_it_was_recorded_on() {
    let fl = Faultline::new().expect("catalog loads");
    let c = fl.check("hold-io", "fork-fuse", &[]).expect("checks");
    let cx = c.violated(Property::Deadlock).expect("H1 deadlock");
    let steps = fl
        .check_token("hold-io", "fork-fuse", &[], &cx.replay())
        .expect("its own model");
    assert_eq!(steps, cx.evidence.token.steps);
    let e = fl
        .check_token(
            "hold-io",
            "fork-fuse",
            &[("order", "file-first")],
            &cx.replay(),
        )
        .expect_err("other knobs, other model");
    assert!(
        matches!(
            e,
            faultline::Error::Token(faultline::TokenError::OtherModel { .. })
        ),
        "{e}"
    );
    let e = fl
        .check_token("hold-io", "fork-fuse", &[], "@1234")
        .expect_err("no steps");
    assert!(
        matches!(e, faultline::Error::Token(faultline::TokenError::Empty)),
        "{e}"
    );
}

#[test]
fn test_of_a_file_never_loaded_is_an_error_not_a_vacuous_pass() {
    let fl = Faultline::new().expect("catalog");
    let e = fl.test(&["typo.fl"]).expect_err("typo.fl was never loaded");
    assert!(e.to_string().contains("no file `typo.fl` is loaded"), "{e}");
}

#[test]
fn the_library_uses_the_machine_budget_and_the_engine_config_of_check() {
    let fl = Faultline::new().expect("catalog");
    // No fixed 8 GiB and no state limit: the machine's memory decides.
    assert_eq!(fl.budget().max_states, u64::MAX);
    assert_eq!(fl.budget().max_bytes, fl.memory().bytes);
    // Reduced like `faultline check` (it explored unreduced on one thread).
    let checked = fl.check("upstream", "fork-copy", &[]).expect("checks");
    assert!(checked.stats.reductions.por, "{:?}", checked.stats);
    let small = fl.with_limits(Some(3), None);
    let c = small.check("upstream", "fork-fuse", &[]).expect("checks");
    assert!(!c.holds(faultline::Property::Deadlock));
}

/// The reviewer's MISMATCH read `T0 sleeps on fol...`: the what-changed column was cut
/// at 80 columns, hiding which folio. Every change of every step must be in the text.
#[test]
fn mismatch_shows_the_whole_what_changed_column() {
    // tried-fuse up to its clauses, with one that upstream's H2 deadlock contradicts.
    let full = include_str!("../../models/fl/tried-fuse.fl");
    let body = &full[..full
        .find("reclaim evictions;")
        .expect("tried-fuse has reclaim")];
    let src = format!(
        "{}reclaim evictions;\n\texpect upstream: ~deadlock;\n}}\n",
        body.replace("scenario tried-fuse", "scenario my-tried-fuse")
    );
    let mut fl = Faultline::new().expect("catalog loads");
    fl.load_str("m.fl", &src).expect("compiles");
    let results = fl.test(&["m.fl"]).expect("runs");
    let ClauseStatus::Mismatch(why) = &results[0].status else {
        panic!("{:?}", results[0].status);
    };
    assert!(!why.contains("..."), "{why}");
    let flat = why.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("folio f FUSE read, ref +T0; T0 sleeps on folio f; T2 wakes"),
        "{why}"
    );
    // Wrapped, not widened: the table (below the replay line) stays in 80 columns.
    assert!(
        why.lines().skip(1).all(|l| l.chars().count() <= 80),
        "{why}"
    );
}

/// The reviewer's scenario file loaded only after the file of the design its `expect`
/// names: the library resolves clause designs after loading, in either order.
#[test]
fn a_scenario_loads_before_the_design_its_expect_names() {
    let scen = EXISTS_FL
        .replace("exists hold-io:", "exists later:")
        .replace(
            "\texists upstream: (holds(fork, mmap_lock, write) && holds(fault, mmap_lock));\n",
            "\texpect later: deadlock;\n",
        );
    let design = "design later extends hold-io() {\n\ttitle \"t\";\n}\n";
    for order in [
        [("s.fl", &*scen), ("d.fl", design)],
        [("d.fl", design), ("s.fl", &*scen)],
    ] {
        let mut fl = Faultline::new().expect("catalog loads");
        for (name, text) in order {
            fl.load_str(name, text).expect("loads");
        }
        let results = fl.test(&["s.fl"]).expect("runs");
        assert_eq!(results.len(), 2, "{results:?}");
        assert!(
            results.iter().all(|r| r.design == "later"
                && matches!(r.status, ClauseStatus::Ok | ClauseStatus::Reachable(_))),
            "{results:?}"
        );
    }
    let mut fl = Faultline::new().expect("catalog loads");
    fl.load_str("s.fl", &scen.replace("expect later", "expect latr"))
        .expect("loads: the design may come later");
    let Err(faultline::Error::File(e)) = fl.test(&["s.fl"]) else {
        panic!("latr is never defined");
    };
    assert_eq!(e.headline(), "s.fl:11:9: unknown design `latr`");
}

/// The grade of each latency counterexample: what the writer or fork waits for.
fn grade(fl: &Faultline, design: &str, scenario: &str, knobs: &[(&str, &str)]) -> Option<Latency> {
    let c = fl.check(design, scenario, knobs).expect("checks");
    [Property::WriterWaitsIo, Property::ForkWaitsIo]
        .into_iter()
        .filter_map(|p| c.violated(p))
        .filter_map(|cx| cx.evidence.latency)
        .max()
}

#[test]
fn latency_is_graded_by_what_is_waited_for() {
    let fl = Faultline::new().expect("catalog loads");
    // mprotect waits for the VMA lock held by a fault reading from disk.
    assert_eq!(grade(&fl, "hold-io", "writer-io", &[]), Some(Latency::Io));
    // fork waits for a fault waiting on a folio whose holder waits for journal I/O.
    assert_eq!(
        grade(&fl, "vma-retry", "folio-holder", &[]),
        Some(Latency::Held)
    );
    // fork waits for the in-process FUSE server.
    assert_eq!(
        grade(&fl, "hold-io", "fork-fuse", &[]),
        Some(Latency::Server)
    );
    assert_eq!(grade(&fl, "upstream", "fork-fuse", &[]), None);
}

#[test]
fn eviction_sensitivity_flips_the_evictions_knob_and_compares_verdict_keys() {
    assert_eq!(
        faultline::eviction_flip([("evictions", "0")]).as_deref(),
        Some("evictions=1")
    );
    assert_eq!(
        faultline::eviction_flip([("evictions", "unbounded")]).as_deref(),
        Some("evictions=0")
    );
    assert_eq!(faultline::eviction_flip([("fork-lock", "all")]), None);
    let ok = CellVerdict::from_parts("OK", None, None);
    let mut v = ok.clone();
    v.compare_eviction(
        "evictions=1",
        &CellVerdict::from_parts("DEADLOCK LATENCY", Some(Latency::Server), None),
    );
    assert_eq!(v.shown(), "OK *");
    let e = v.eviction.expect("marked");
    assert_eq!(
        (e.set.as_str(), e.verdict.as_str()),
        ("evictions=1", "DEADLOCK LATENCY-SERVER")
    );
    let mut same = ok.clone();
    same.compare_eviction("evictions=1", &ok);
    assert_eq!(same.shown(), "OK");
}
