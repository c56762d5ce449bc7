//! One violation, every output: `check` as text, JSON, splat and DOT, `explain`, the
//! HTML report and the library's `Counterexample` all show the same trace, waits, kill
//! -9 fate and replay token, because every one of them reads the one
//! [`faultline::Evidence`] the library builds.

use faultline::{Evidence, Faultline, Property};
use faultline_traces::{trace_json, wait_for_json, wait_for_text};
use serde_json::Value;

use super::{faultline, stderr, stdout};

/// Whitespace collapsed and shell line continuations joined, so text wrapped to 80 or
/// 100 columns compares with unwrapped text.
fn flat(s: &str) -> String {
    s.replace("\\\n", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The library's evidence for `property` of `design` x `scenario` with `sets`.
fn library(design: &str, scenario: &str, sets: &[(&str, &str)], property: Property) -> Evidence {
    let fl = Faultline::new().expect("catalog loads");
    let checked = fl.check(design, scenario, sets).expect("checks");
    let cx = checked.violated(property).expect("violated");
    assert_eq!(cx.replay(), cx.evidence.token.to_string());
    assert_eq!(cx.steps(), cx.evidence.trace.len());
    assert!(cx.text().contains(&wait_for_text(&cx.evidence.wait_for)));
    cx.evidence.clone()
}

fn run(args: &[&str]) -> String {
    let o = faultline(args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn one_deadlock_shows_the_same_trace_waits_fate_and_token_in_every_output_and_the_api() {
    let (d, s) = ("upstream", "kernel-wb");
    let sets = ["--set", "kernel=6.12"];
    let e = library(d, s, &[("kernel", "6.12")], Property::Deadlock);
    let m = faultline_models::build(d, s, &[("kernel".into(), "6.12".into())])
        .expect("builds")
        .machine;
    let token = e.token.to_string();
    assert!(
        token.contains('@'),
        "the token carries the model hash: {token}"
    );
    let kill = e.kill.as_ref().expect("a deadlock has a kill -9 fate");
    let waits = wait_for_text(&e.wait_for);
    // The library explores as `check` does (one engine configuration), so the two
    // find the same counterexample.
    let with = |extra: &[&str]| {
        let mut a = vec!["check", d, s, "--property", "deadlock"];
        a.extend(sets);
        a.extend(extra);
        run(&a)
    };

    // Text: the step count, the waits, the fate and the token.
    let text = with(&[]);
    let label = if e.shortest {
        "shortest counterexample"
    } else {
        "counterexample"
    };
    assert!(
        text.contains(&format!("VIOLATED ({label}, {} steps", e.trace.len())),
        "{text}"
    );
    assert!(text.contains(&waits), "{text}");
    assert!(flat(&text).contains(&flat(&kill.text(100))), "{text}");
    assert!(text.contains(&format!(" {token}\n")), "{text}");

    // JSON: the same values, field by field.
    let j: Value = serde_json::from_str(&with(&["--json"])).expect("JSON");
    let r = &j["results"][0];
    assert_eq!(r["trace"], trace_json(&m, &e.trace));
    assert_eq!(r["wait_for"], wait_for_json(&e.wait_for));
    assert_eq!(r["kill"], kill.json());
    assert!(
        r["replay"].as_str().is_some_and(|c| c.ends_with(&token)),
        "{r}"
    );

    // Splat and explain (80 columns, wrapped): the fate and the token.
    for out in [
        with(&["--format", "splat"]),
        run(&["explain", d, s, "--property", "deadlock", sets[0], sets[1]]),
    ] {
        let f = flat(&out);
        assert!(f.contains(&flat(&kill.text(80))), "{out}");
        assert!(f.contains(&token), "{out}");
        assert!(
            out.contains(&format!("after {} steps", e.trace.len())),
            "{out}"
        );
    }

    // DOT: the wait-for graph's nodes and edges.
    let dot = with(&["--format", "dot"]);
    let ours = faultline_traces::wait_for_dot(&e.wait_for, "x");
    for line in ours.lines().filter(|l| l.contains("->")) {
        assert!(dot.contains(line), "{line} missing from\n{dot}");
    }

    // The HTML report's cell page: the same explanation, escaped.
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().to_str().expect("utf8");
    let o = faultline(&[
        "report",
        "--out",
        out,
        "--design",
        d,
        "--scenario",
        s,
        sets[0],
        sets[1],
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(tmp.path().join(format!("{d}.{s}.kernel=6.12.html")))
        .expect("cell page");
    let f = flat(&page);
    assert!(f.contains(&token), "{page}");
    assert!(f.contains(&flat(&kill.text(80))), "{page}");
}

/// Caught: for a livelock the library showed the wait-for graph of the final state
/// (which may wait for nothing) while the command line showed the waits along the
/// cycle.
#[test]
fn a_livelock_shows_the_waits_along_its_cycle_in_the_api_as_in_the_command_line() {
    let (d, s) = ("vma-retry", "evict-retry");
    let e = library(d, s, &[("vma-retry-tried", "off")], Property::Livelock);
    assert!(e.lasso.is_some());
    let waits = wait_for_text(&e.wait_for);
    assert!(waits.contains("the waits along the cycle:"), "{waits}");
    let text = run(&[
        "check",
        d,
        s,
        "--set",
        "vma-retry-tried=off",
        "--property",
        "livelock",
    ]);
    assert!(text.contains(&waits), "{text}");
    assert!(text.contains(&format!(" {}\n", e.token)), "{text}");
}
