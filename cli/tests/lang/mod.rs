//! `faultline test` and `faultline show` over `.fl` files.

use super::{faultline, stderr, stdout, temp_dir};

const CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/fl");

/// Writes `text` to `name` in a fresh temporary directory (kept alive by the caller).
fn write(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = temp_dir();
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("writes");
    let p = path.to_str().expect("utf8").to_string();
    (dir, p)
}

#[test]
fn every_catalog_file_passes_its_expect_clauses() {
    let mut files: Vec<String> = std::fs::read_dir(CATALOG)
        .expect("catalog dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "fl"))
        .map(|p| p.to_str().expect("utf8").to_string())
        .collect();
    files.sort();
    let mut args = vec!["test"];
    args.extend(files.iter().map(String::as_str));
    let o = faultline(&args);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ok        fork-fuse.fl:"), "{out}");
    assert!(
        out.contains("[upstream x tried-fuse] exists upstream: (holds(fault, mmap_lock, read)"),
        "{out}"
    );
    assert!(out.contains("witness: 21 steps, shortest"), "{out}");
    assert!(out.ends_with("clause results: all ok\n"), "{out}");
    assert!(!out.contains("MISMATCH"), "{out}");
}

#[test]
fn a_wrong_expectation_is_a_mismatch_with_the_trace_and_exit_1() {
    let (_dir, f) = write(
        "wrong.fl",
        "scenario my-fork-fuse {\n\ttitle \"t\";\n\tproperties deadlock;\n\tvma B = anon;\n\tvma F = private-file;\n\tfolio f = fuse absent;\n\tthread fault fault { do_user_addr_fault(user, F, FILE, f); return; }\n\tthread fork fork { dup_mmap(); return; }\n\tdaemon fuse { fuse_server(B, kernel, first-touch); }\n\texpect hold-io: ~deadlock;\n\texpect upstream: ~deadlock;\n}\n",
    );
    let o = faultline(&["test", &f]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("MISMATCH  "), "{out}");
    assert!(
        out.contains("[hold-io x my-fork-fuse] expect hold-io: ~deadlock;"),
        "{out}"
    );
    assert!(
        out.contains("deadlock violated (expected to hold); replay t0,"),
        "{out}"
    );
    assert!(
        out.contains("[upstream x my-fork-fuse] expect upstream: ~deadlock;"),
        "{out}"
    );
}

/// `exists` clauses over a fork-fuse-shaped scenario; `{pred}` is the second one.
const EXISTS_FL: &str = "scenario my-fork-fuse {\n\ttitle \"t\";\n\tproperties deadlock;\n\tvma B = anon;\n\tvma F = private-file;\n\tfolio f = fuse absent;\n\tthread fault fault { do_user_addr_fault(user, F, FILE, f); return; }\n\tthread fork fork { dup_mmap(); return; }\n\tdaemon fuse { fuse_server(B, kernel, first-touch); }\n\texists hold-io: (waits(fork, F) && holds(fault, F));\n\texists upstream: {pred};\n}\n";

#[test]
fn exists_is_ok_with_a_witness_or_a_mismatch_when_unreachable() {
    let (_dir, f) = write(
        "q.fl",
        &EXISTS_FL.replace(
            "{pred}",
            "(holds(fork, mmap_lock, write) && holds(fault, mmap_lock))",
        ),
    );
    let o = faultline(&["test", &f]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("ok        ")
            && out.contains("q.fl:10 [hold-io x my-fork-fuse] exists hold-io:"),
        "{out}"
    );
    assert!(
        out.contains("witness: ") && out.contains("vma_start_write(F)"),
        "{out}"
    );
    assert!(
        out.contains("MISMATCH  ") && out.contains("unreachable: no state satisfies it"),
        "{out}"
    );
    assert!(out.ends_with("2 clause results: MISMATCH\n"), "{out}");
}

#[test]
fn an_exists_clause_naming_no_lock_is_exit_2_with_file_line_col() {
    let (_dir, f) = write(
        "q.fl",
        &EXISTS_FL.replace("{pred}", "(waits(fork, mmap_lok))"),
    );
    let o = faultline(&["test", &f]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("q.fl:11:32: unknown lock `mmap_lok`")
            && err.contains("did you mean `mmap_lock`?")
            && err.contains("^^^^^^^^ no such lock here"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_bad_file_is_exit_2_with_file_line_col_the_line_and_a_caret() {
    let (_dir, f) = write(
        "bad.fl",
        "design d {\n\ttitle \"t\";\n\tbool waits_if_uptodate()\n\t{\n\t\treturn wait-if-uptodat == on;\n\t}\n}\n",
    );
    let o = faultline(&["test", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let first = err.lines().next().expect("a line");
    assert!(
        first.starts_with("faultline: error: ")
            && first.contains("bad.fl:5:10: unknown name `wait-if-uptodat`"),
        "{err}"
    );
    assert!(
        err.contains("return wait-if-uptodat == on;") && err.contains("^^^"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn show_prints_the_compiled_listing() {
    let o = faultline(&[
        "show",
        "-",
        "hold-io",
        "fork-fuse",
        "--set",
        "order=file-first",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // Where the design, the scenario and each knob value in force come from, first.
    assert!(out.starts_with("// design hold-io source: P3: "), "{out}");
    assert!(out.contains("\n// scenario fork-fuse source: H1"), "{out}");
    assert!(
        out.contains("\nvma F = private file\nvma B = anon\n"),
        "{out}"
    );
    assert!(out.contains("thread fork (Fork):"), "{out}");
    assert!(out.contains("vma_start_write(F)"), "{out}");
    let o = faultline(&["show", "-", "hold-i0", "fork-fuse"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown design `hold-i0`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn replay_tokens_are_bound_to_their_model_and_malformed_ones_are_exit_2() {
    let o = faultline(&["check", "hold-io", "fork-fuse"]);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("replay: "))
        .expect("a replay line");
    let token = line.split_whitespace().last().expect("token");
    let (steps, hash) = token.rsplit_once('@').expect("STEPS@HASH");
    assert_eq!(hash.len(), 8, "{token}");
    assert!(steps.starts_with("t0,"), "{token}");
    let o = faultline(&["replay", "hold-io", "fork-fuse", token]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The same token on another knob set, scenario or design: refused in one line.
    for other in [
        vec![
            "replay",
            "hold-io",
            "fork-fuse",
            token,
            "--set",
            "server=uffd",
        ],
        vec!["replay", "hold-io", "tried-fuse", token],
        vec!["replay", "upstream", "fork-fuse", token],
    ] {
        let o = faultline(&other);
        assert_eq!(o.status.code(), Some(2), "{other:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("recorded on another model"), "{err}");
    }
    for bad in ["", ",,,", "t0,,t1", "t0,t1 x", "t0,t1@", "t0@zz"] {
        let o = faultline(&["replay", "hold-io", "fork-fuse", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stdout(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "{bad:?}");
    }
}

/// A scenario whose clause names a design of another file, and that design's file.
const LATER_SCEN: &str = "scenario my-fork-fuse {\n\ttitle \"t\";\n\tproperties deadlock;\n\tvma B = anon;\n\tvma F = private-file;\n\tfolio f = fuse absent;\n\tthread fault fault { do_user_addr_fault(user, F, FILE, f); return; }\n\tthread fork fork { dup_mmap(); return; }\n\tdaemon fuse { fuse_server(B, kernel, first-touch); }\n\texpect later: deadlock;\n\texists later: (waits(fork, F) && holds(fault, F));\n}\n";
const LATER_DESIGN: &str = "design later extends hold-io() {\n\ttitle \"t\";\n}\n";

#[test]
fn test_loads_a_scenario_before_the_design_its_expect_names_in_either_order() {
    let dir = temp_dir();
    let scen = dir.path().join("scen.fl");
    let design = dir.path().join("design.fl");
    std::fs::write(&scen, LATER_SCEN).expect("writes");
    std::fs::write(&design, LATER_DESIGN).expect("writes");
    let (s, d) = (scen.to_str().expect("utf8"), design.to_str().expect("utf8"));
    for order in [[s, d], [d, s]] {
        let o = faultline(&["test", order[0], order[1]]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{order:?}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let out = stdout(&o);
        assert!(
            out.contains("[later x my-fork-fuse] expect later: deadlock;"),
            "{out}"
        );
        assert!(out.ends_with("2 clause results: all ok\n"), "{out}");
    }
    // A name no file defines is still refused, at the clause, after every file loads.
    std::fs::write(&scen, LATER_SCEN.replace("expect later", "expect latr")).expect("writes");
    let o = faultline(&["test", s, d]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("scen.fl:10:9: unknown design `latr`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean `later`?"),
        "{}",
        stderr(&o)
    );
}
