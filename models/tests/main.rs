//! Pinned verdicts of the catalog: computed by the native engine, compared with the
//! expectations of kernel-semantics section 5.

use faultline_checker::{Budget, Property, Verdict, explore};
use faultline_traces::{trace_text, wait_for_text};

fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn scratch() {
    for (d, s, k) in [
        ("hold-io", "fork-fuse", vec![]),
        ("upstream", "fork-fuse", vec![]),
        ("upstream", "tried-fuse", vec![]),
        ("upstream", "tried-fuse", vec![("evictions", "0")]),
        (
            "hold-io",
            "fork-fuse",
            vec![("fork-lock", "anon-cow"), ("mapping", "shared")],
        ),
        ("upstream", "many-faults", vec![]),
    ] {
        let model = faultline_models::build(d, s, &set(&k)).expect("builds");
        let r = explore(&model.machine, &[Property::Deadlock], &Budget::default()).expect("runs");
        println!(
            "{d} x {s} {k:?}: {} [{}]",
            r.results[0].verdict.status(),
            r.stats
        );
        if let Verdict::Violated(cx) = &r.results[0].verdict {
            println!("{}", trace_text(&model.machine, &cx.trace, 100));
            println!("{}", wait_for_text(&cx.wait_for));
        }
    }
}
