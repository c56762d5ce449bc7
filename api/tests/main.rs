//! The library API: the catalog's own `expect` clauses pass, a user design loads from
//! text and gets typed results with text and DOT counterexamples.
//!
//! Modules: this file only.

use faultline::{ClauseStatus, Faultline, Property, Status};

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
    assert!(cx.text.contains("fuse_dev_do_read"), "{}", cx.text);
    assert!(cx.dot.starts_with("digraph"), "{}", cx.dot);
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
        "unknown design `nope`; valid designs: upstream, vma-retry, hold-io, two-flag"
    );
}
