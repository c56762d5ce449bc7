//! Every DEADLOCK says whether `kill -9` of the process ends it and whether hung_task
//! reports it (`faultline_traces::kill`), in text, JSON and `explain`, and on which kernel.

use std::path::PathBuf;

use serde_json::Value;

use super::{faultline, stderr, stdout};

/// Compares `actual` with `tests/golden/NAME`, or rewrites it under `FAULTLINE_BLESS=1`.
fn assert_golden(name: &str, actual: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    faultline_golden::assert_golden(&dir, name, actual);
}

fn json(args: &[&str]) -> Value {
    let o = faultline(args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON")
}

#[test]
fn explain_of_wb_on_6_12_says_kill_ends_it_and_hung_task_reports_it() {
    let o = faultline(&["explain", "upstream", "kernel-wb", "--set", "kernel=6.12"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    // The last line carries the version and the files' hashes, which change with
    // every edit of a catalog file: checked apart from the golden text.
    let (body, last) = out.trim_end().rsplit_once('\n').expect("lines");
    assert!(
        last.starts_with("faultline ") && last.contains("; files "),
        "{last}"
    );
    assert_golden("explain.kernel-wb.6.12.txt", &format!("{body}\n"));
}

#[test]
fn check_of_h2_on_6_1_reports_hung_task_and_on_6_12_stays_silent() {
    let text = |k: &str| {
        stdout(&faultline(&[
            "check",
            "upstream",
            "kernel-h2",
            "--set",
            &format!("kernel={k}"),
        ]))
    };
    let old = text("6.1");
    assert!(old.contains("kill -9 of the process: ends it\n"), "{old}");
    assert!(old.contains("hung_task: reports it"), "{old}");
    assert!(old.contains("as in kernel 6.1, the kernel knob"), "{old}");
    let new = text("6.12");
    assert!(new.contains("hung_task: silent"), "{new}");
}

#[test]
fn a_scenario_without_a_kernel_knob_says_it_follows_newest() {
    let out = stdout(&faultline(&["check", "hold-io", "fork-fuse"]));
    assert!(
        out.contains("as in kernel newest: the scenario has no kernel knob"),
        "{out}"
    );
    let j = json(&["check", "hold-io", "fork-fuse", "--json"]);
    let results = j["results"].as_array().expect("results");
    let kill = &results[0]["kill"];
    assert_eq!(results[0]["property"], "deadlock");
    assert_eq!(kill["kernel"], "newest");
    assert_eq!(kill["kernel_knob"], false);
    // Only a deadlock is judged: a latency violation is no hang.
    assert!(results[1..].iter().all(|r| r.get("kill").is_none()), "{j}");
}

#[test]
fn proc_where_the_daemon_reads_proc_during_the_eviction_is_not_ended_by_kill() {
    // The shortest PROC deadlock: the daemon (another process) took f's read and
    // waits in access_remote_vm for mmap_lock, which the DIO eviction holds for write
    // while it waits, uninterruptibly, for f's folio lock. Killing the caller wakes
    // neither.
    let j = json(&[
        "check",
        "upstream",
        "kernel-h2",
        "--set",
        "kernel=6.12",
        "--set",
        "daemon=proc-cmdline",
        "--json",
    ]);
    let kill = &j["results"][0]["kill"];
    assert_eq!(kill["ends"], false, "{kill}");
    assert_eq!(kill["hung_task"], true, "{kill}");
    let threads = kill["threads"].as_array().expect("threads");
    let daemon = threads
        .iter()
        .find(|t| t["name"] == "daemon")
        .expect("the daemon is stuck");
    assert_eq!(daemon["process"], "other");
    assert_eq!(daemon["fate"], "stays");
    let evict = threads
        .iter()
        .find(|t| t["name"] == "evict")
        .expect("evict");
    assert_eq!(evict["wait"]["sleep"], "uninterruptible");
}

#[test]
fn the_splat_of_a_deadlock_ends_with_the_kill_block_before_its_replay_line() {
    let o = faultline(&[
        "check",
        "hold-io",
        "fork-fuse",
        "--property",
        "deadlock",
        "--format",
        "splat",
    ]);
    let out = stdout(&o);
    let kill = out
        .find("kill -9 of the process: ends it")
        .expect("kill block");
    let replay = out
        .rfind("\nreplay: faultline replay")
        .expect("replay line");
    assert!(out.contains(" *** DEADLOCK ***") && kill < replay, "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}
