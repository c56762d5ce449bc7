//! Checks the never-wait design the way a reviewer would in their own crate.
//!
//! Modules: this file only.

use faultline::{Faultline, Property};

fn session() -> Faultline {
    let mut fl = Faultline::new().expect("the built-in catalog loads");
    if let Err(e) = fl.load_str("never-wait.fl", own_design_example::NEVER_WAIT) {
        match e {
            faultline::Error::File(f) => panic!("{}", f.render()),
            other => panic!("{other}"),
        }
    }
    fl
}

#[test]
fn never_waiting_under_a_lock_avoids_the_fork_fuse_deadlock() {
    let c = session()
        .check("never-wait", "fork-fuse", &[])
        .expect("checks");
    assert!(c.holds(Property::Deadlock));
    assert!(c.holds(Property::ForkWaitsIo));
}

#[test]
fn but_it_livelocks_when_reclaim_evicts_the_folio_after_every_read() {
    let c = session()
        .check("never-wait", "evict-retry", &[])
        .expect("checks");
    let cx = c
        .violated(Property::Livelock)
        .expect("without TRIED nothing stops the retry loop");
    assert!(cx.text().contains("shrink_folio_list"), "{}", cx.text());
    assert!(cx.dot().starts_with("digraph"));
}

#[test]
fn the_design_files_own_expectations_hold() {
    let results = session().test(&["never-wait.fl"]).expect("runs");
    assert_eq!(results.len(), 3);
    for r in results {
        assert_eq!(r.status, faultline::ClauseStatus::Ok, "{} {}", r.at, r.text);
    }
}
