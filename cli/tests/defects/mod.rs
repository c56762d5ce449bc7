//! Regression tests for the defects found by trying the command line as a new user
//! would (issue 12), one test named for each.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output};

use super::{faultline, stderr, stdout, temp_dir};

fn faultline_os(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .output()
        .expect("runs")
}

/// Exit 2 with one `faultline: error:` line containing `needle`, nothing on stdout.
fn one_line_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("faultline: error: "), "{err}");
    assert!(err.contains(needle), "wanted `{needle}` in {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "{}", stdout(o));
}

#[test]
fn a_non_utf8_argument_is_an_error_not_a_panic() {
    let bad = OsStr::from_bytes(b"\xff\xfe");
    for args in [
        vec![
            OsStr::new("check"),
            OsStr::new("upstream"),
            OsStr::new("fork-fuse"),
            bad,
        ],
        vec![OsStr::new("check"), bad, OsStr::new("fork-fuse")],
        vec![
            OsStr::new("check"),
            OsStr::new("upstream"),
            OsStr::new("fork-fuse"),
            OsStr::new("--set"),
            bad,
        ],
        vec![bad],
    ] {
        let o = faultline_os(&args);
        one_line_error(&o, "");
    }
    let o = faultline_os(&[OsStr::new("check"), bad, OsStr::new("fork-fuse")]);
    one_line_error(&o, "invalid UTF-8");
}

#[test]
fn an_empty_output_directory_is_refused_not_the_working_directory() {
    let cwd = temp_dir();
    for args in [
        &["report", "--out", "", "--scenario", "fork-fuse"][..],
        &["check", "hold-io", "fork-fuse", "--dot", ""][..],
        &["matrix", "--scenario", "fork-fuse", "--dot", ""][..],
        &["check", "hold-io", "fork-fuse", "--dot="][..],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(args)
            .current_dir(cwd.path())
            .output()
            .expect("runs");
        one_line_error(&o, "an empty directory name");
        let left: Vec<_> = std::fs::read_dir(cwd.path()).expect("dir").collect();
        assert!(left.is_empty(), "{args:?} wrote into the working directory");
    }
}

#[test]
fn an_output_directory_that_is_a_file_is_not_a_directory() {
    let tmp = temp_dir();
    let file = tmp.path().join("plain");
    std::fs::write(&file, "x").expect("write");
    let f = file.to_str().expect("utf8");
    for args in [
        &["check", "hold-io", "fork-fuse", "--dot", f][..],
        &["matrix", "--scenario", "fork-fuse", "--dot", f][..],
        &["report", "--out", f, "--scenario", "fork-fuse"][..],
    ] {
        let o = faultline(args);
        one_line_error(&o, "is not a directory");
        assert!(!stderr(&o).contains("os error 17"), "{}", stderr(&o));
    }
}

#[test]
fn tests_leave_no_faultline_pid_folders_in_the_temp_dir() {
    // Every test's scratch space is a tempfile::TempDir, removed on drop; a folder
    // named by hand under the temp dir (`faultline-*-PID`) outlives the run.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let needle = ["std::env::", "temp_dir()"].concat();
    let mut offenders = Vec::new();
    for krate in [
        "protocol", "checker", "models", "traces", "cli", "lang", "repro",
    ] {
        for sub in ["src", "tests", "benches"] {
            visit(&root.join(krate).join(sub), &mut |path, text| {
                if text.contains(&needle) {
                    offenders.push(path.display().to_string());
                }
            });
        }
    }
    assert!(offenders.is_empty(), "use tempfile instead: {offenders:?}");
}

fn visit(dir: &std::path::Path, f: &mut dyn FnMut(&std::path::Path, &str)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            visit(&p, f);
        } else if p.extension().is_some_and(|x| x == "rs")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            f(&p, &text);
        }
    }
}

#[test]
fn livelock_evidence_shows_the_waits_along_the_cycle() {
    let tmp = temp_dir();
    let d = tmp.path().to_str().expect("utf8");
    let o = faultline(&[
        "check",
        "vma-retry",
        "evict-retry",
        "--set",
        "vma-retry-tried=off",
        "--property",
        "livelock",
        "--dot",
        d,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let waits = out
        .split("the waits along the cycle:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no waits heading: {out}"));
    let first = waits.lines().next().unwrap_or("");
    assert!(
        first.contains("T0 fault") && first.contains("folio f"),
        "a heading with nothing under it: {out}"
    );
    let dot = std::fs::read_to_string(tmp.path().join("vma-retry.evict-retry.livelock.dot"))
        .expect("wait-for graph");
    assert!(dot.contains("->"), "a blank graph: {dot}");
    let explained = stdout(&faultline(&[
        "explain",
        "vma-retry",
        "evict-retry",
        "--set",
        "vma-retry-tried=off",
        "--property",
        "livelock",
    ]));
    assert!(
        explained.contains("the waits along the cycle:\n  T0 fault"),
        "{explained}"
    );
}

#[test]
fn a_lasso_token_prefix_bar_cycle_replays() {
    let args = [
        "replay",
        "vma-retry",
        "evict-retry",
        "--set",
        "vma-retry-tried=off",
    ];
    let mut ok = args.to_vec();
    ok.push("t0|t0,t0,t0,io0,t0,t0,t0,ev0,t0");
    let o = faultline(&ok);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("the trace violates: livelock"),
        "{}",
        stdout(&o)
    );
    // A cycle that does not come back is refused in one line.
    let mut bad = args.to_vec();
    bad.push("t0|t0,t0");
    one_line_error(&faultline(&bad), "does not return");
}

#[test]
fn a_repeated_property_is_refused_like_other_repeated_options() {
    let o = faultline(&[
        "check",
        "upstream",
        "fork-fuse",
        "--property",
        "deadlock",
        "--property",
        "deadlock",
    ]);
    one_line_error(&o, "`--property deadlock` given more than once");
    let o = faultline(&[
        "check",
        "upstream",
        "fork-fuse",
        "--seed",
        "1",
        "--seed",
        "2",
    ]);
    one_line_error(&o, "cannot be used multiple times");
}

#[test]
fn the_hint_is_given_once() {
    let tmp = temp_dir();
    let d = tmp.path().to_str().expect("utf8");
    let o = faultline(&[
        "report",
        "--out",
        d,
        "--scenario",
        "fork-copy",
        "--set",
        "faults=2",
    ]);
    one_line_error(&o, "has the knob `faults` (see `faultline list`)");
    assert_eq!(stderr(&o).matches("(see").count(), 1, "{}", stderr(&o));
}

#[test]
fn help_after_arguments_prints_help_and_a_missing_command_is_an_error() {
    for args in [
        &["check", "upstream", "fork-fuse", "-h"][..],
        &["check", "--help"][..],
        &["help", "check"][..],
        &["--help"][..],
    ] {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("Usage: faultline"),
            "{args:?}: {}",
            stdout(&o)
        );
        assert!(stderr(&o).is_empty());
    }
    // Bare `faultline` and `faultline ''` are the same mistake.
    one_line_error(&faultline(&[]), "no command given");
    one_line_error(&faultline(&[""]), "unrecognized subcommand");
    // No `got N arguments`, least of all `1 arguments`.
    let o = faultline(&["check", "upstream"]);
    one_line_error(&o, "<SCENARIO>");
    assert!(!stderr(&o).contains("arguments,") && !stderr(&o).contains("1 arguments"));
}

#[test]
fn completions_and_the_man_page_come_from_the_parser() {
    let o = faultline(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("--max-states") && s.contains("explain"), "{s}");
    let o = faultline(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains(".TH faultline"), "{s}");
    let o = faultline(&["man", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("faultline\\-check") && s.contains("max\\-states"),
        "{s}"
    );
    one_line_error(&faultline(&["man", "nope"]), "no command `nope`");
}

#[test]
fn ulimit_v_1000000_many_faults_8_stops_at_the_memory_budget_with_exit_3() {
    // Was: "memory allocation of ... failed", abort, exit 134.
    let o = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 1000000 && exec "$0" check upstream many-faults --set faults=8"#)
        .arg(env!("CARGO_BIN_EXE_faultline"))
        .output()
        .expect("sh runs");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("deadlock: INCONCLUSIVE: stopped at the memory budget of"),
        "{out}"
    );
    assert!(out.contains("left under RLIMIT_AS (ulimit -v)"), "{out}");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn max_memory_caps_the_budget_and_is_reported() {
    let o = faultline(&[
        "check",
        "upstream",
        "many-faults",
        "--set",
        "faults=5",
        "--max-memory",
        "140M",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("stopped at the memory budget of 140 MiB"),
        "{out}"
    );
    assert!(
        out.contains("memory budget 140 MiB (--max-memory; up to"),
        "{out}"
    );
    one_line_error(
        &faultline(&["check", "a", "b", "--max-memory", "lots"]),
        "--max-memory",
    );
}

/// Found by the CI fuzz run (seed 0x4520023c, run 135): loom's permutation cap was
/// `remaining + 1`, which overflowed for `--executions 18446744073709551615`.
#[test]
fn loom_with_the_largest_execution_cap_does_not_overflow() {
    let o = faultline(&[
        "check",
        "upstream",
        "stale-vma",
        "--engine=loom",
        "--executions",
        "18446744073709551615",
        "--max-states",
        "3000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).contains("loom, exhaustive"), "{}", stdout(&o));
}
