//! The `faultline` binary end to end: exit codes, output shapes, one-line errors, one
//! violation the same in every output (`evidence`).

use std::process::{Command, Output};

mod cluster;
mod defects;
mod evidence;
mod export;
mod files;
mod fuzz;
mod kill;
mod lang;
mod matrix;
mod readme;
mod repro;
mod shard;
mod trust;

/// The catalog's designs, in the matrix's column order.
const DESIGNS: [&str; 6] = [
    "upstream",
    "vma-retry",
    "hold-io",
    "hold-file",
    "two-flag",
    "approach3",
];

fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_hold_io_fork_fuse_exits_1_with_trace_and_cycle() {
    let o = faultline(&["check", "hold-io", "fork-fuse"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("deadlock: VIOLATED"), "{out}");
    assert!(out.contains("vma_start_write(F)"), "{out}");
    assert!(out.contains("wait-for cycle at the final state:"), "{out}");
    assert!(
        out.contains("replay: faultline replay hold-io fork-fuse t0,"),
        "{out}"
    );
}

#[test]
fn check_upstream_fork_fuse_exits_0_and_reports_the_state_count() {
    let o = faultline(&["check", "upstream", "fork-fuse"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("deadlock: holds (all 209 reachable states explored)"),
        "{out}"
    );
    assert!(out.contains("states/s"), "{out}");
}

#[test]
fn json_has_design_scenario_knobs_results_and_stats() {
    let o = faultline(&[
        "check",
        "hold-io",
        "fork-fuse",
        "--json",
        "--set",
        "order=file-first",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(j["design"], "hold-io");
    assert_eq!(j["scenario"], "fork-fuse");
    assert_eq!(j["knobs"]["order"], "file-first");
    assert_eq!(j["knobs"]["mapping"], "private");
    let r = &j["results"][0];
    assert_eq!(r["property"], "deadlock");
    assert_eq!(r["status"], "violated");
    let steps = r["trace"]["steps"].as_array().expect("steps");
    assert!(
        steps
            .iter()
            .all(|s| s["thread"].is_string() && s["op"].is_string())
    );
    assert!(j["stats"]["states"].as_u64().expect("states") > 0);
    assert!(j["stats"]["transitions"].as_u64().expect("transitions") > 0);
    assert!(
        r["replay"]
            .as_str()
            .expect("replay")
            .contains("--set order=file-first")
    );
}

#[test]
fn the_printed_replay_command_reproduces_the_deadlock() {
    let o = faultline(&["check", "upstream", "tried-fuse", "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let token = j["results"][0]["trace"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    let o = faultline(&["replay", "upstream", "tried-fuse", &token]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("the trace violates: deadlock"));
    // A prefix replays but is no deadlock.
    let prefix: Vec<&str> = token.split(',').take(3).collect();
    let o = faultline(&["replay", "upstream", "tried-fuse", &prefix.join(",")]);
    assert_eq!(o.status.code(), Some(0));
}

/// Renders a DOT file with graphviz; skipped where graphviz is missing unless
/// `FAULTLINE_REQUIRE_GRAPHVIZ=1`. Returns whether it rendered.
fn renders(file: &std::path::Path) -> bool {
    match Command::new("dot").arg("-Tsvg").arg(file).output() {
        Ok(r) => {
            assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
            true
        }
        Err(e) => {
            assert!(
                std::env::var_os("FAULTLINE_REQUIRE_GRAPHVIZ").is_none(),
                "graphviz `dot` is required here but cannot run: {e}"
            );
            false
        }
    }
}

/// A fresh directory, removed when dropped (even when the test fails).
fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("faultline-test-")
        .tempdir()
        .expect("temp dir")
}

#[test]
fn dot_dir_gets_the_wait_for_and_trace_graphs_of_each_violation() {
    let tmp = temp_dir();
    let dir = tmp.path();
    let o = faultline(&[
        "check",
        "hold-io",
        "fork-fuse",
        "--dot",
        dir.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let wait_for = dir.join("hold-io.fork-fuse.deadlock.dot");
    let trace = dir.join("hold-io.fork-fuse.deadlock.trace.dot");
    let dot = std::fs::read_to_string(&wait_for).expect("wait-for graph written");
    assert!(dot.starts_with("digraph \"wait-for\"") && dot.contains("color=red"));
    let dot = std::fs::read_to_string(&trace).expect("trace graph written");
    assert!(dot.starts_with("digraph \"trace\"") && dot.contains("style=dashed"));
    assert!(stdout(&o).contains("deadlock.trace.dot"), "{}", stdout(&o));
    renders(&wait_for);
    renders(&trace);
}

#[test]
fn format_dot_prints_every_graph_and_format_json_is_json() {
    let o = faultline(&["check", "hold-io", "fork-fuse", "--format", "dot"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    // deadlock and fork-waits-io: a wait-for and a trace graph each.
    assert_eq!(out.matches("digraph ").count(), 4, "{out}");
    assert!(
        out.contains("// hold-io.fork-fuse.deadlock.trace.dot"),
        "{out}"
    );
    let a = faultline(&["check", "hold-io", "fork-fuse", "--format", "json"]);
    let j: serde_json::Value = serde_json::from_slice(&a.stdout).expect("JSON");
    assert_eq!(j["status"], "violated");
    let o = faultline(&["check", "upstream", "fork-fuse", "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty(), "nothing violated, no graphs");
}

#[test]
fn explain_fits_80_columns_and_exits_like_check() {
    for (design, scenario) in [("hold-io", "fork-fuse"), ("upstream", "tried-fuse")] {
        let o = faultline(&["explain", design, scenario]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        for line in out.lines() {
            assert!(line.chars().count() <= 80, "over 80 columns: `{line}`");
        }
        assert!(out.contains("deadlock violated after"), "{out}");
        assert!(out.contains("causes (step -> step it caused):"), "{out}");
        assert!(out.contains("wait-for cycle at the final state:"), "{out}");
        assert!(out.contains("replay: faultline replay"), "{out}");
    }
    let out = stdout(&faultline(&["explain", "hold-io", "fork-fuse"]));
    assert!(out.contains("T0 fault") && out.contains("T2 fuse"), "{out}");
    assert!(out.contains("* 11"), "the violating step is marked: {out}");
    let o = faultline(&["explain", "upstream", "fork-fuse"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "no violation: every property holds in upstream x fork-fuse (209 states)\n"
    );
}

#[test]
fn report_writes_the_matrix_cell_pages_and_svg_graphs() {
    let tmp = temp_dir();
    let dir = tmp.path();
    let o = faultline(&[
        "report",
        "--out",
        dir.to_str().expect("utf8"),
        "--scenario",
        "fork-fuse",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("6 cells (3 violated, 3 hold"),
        "{}",
        stdout(&o)
    );
    let index = std::fs::read_to_string(dir.join("index.html")).expect("index.html");
    assert!(index.starts_with("<!DOCTYPE html>"));
    assert!(index.contains("<table id=\"matrix\">") && index.contains("<table id=\"cells\">"));
    assert!(index.contains("<a href=\"hold-io.fork-fuse.html#deadlock\">violated (11 steps)</a>"));
    assert!(index.contains("href=\"upstream.fork-fuse.html\""));
    assert!(
        index.contains("<a href=\"hold-io.fork-fuse.html\">DEADLOCK LATENCY-SERVER</a>"),
        "the grid shows the matrix keys"
    );
    // Issue 16: the eviction mark and the LATENCY grades, with their legend.
    assert!(
        index.contains("<a href=\"upstream.fork-fuse.html\">OK *</a>"),
        "{index}"
    );
    assert!(
        index.contains(
            "upstream x fork-fuse: OK *; with <code>evictions=1</code>: DEADLOCK LATENCY-SERVER"
        ),
        "{index}"
    );
    assert!(index.contains("<span class=\"latency-server\">LATENCY-SERVER</span>"));
    let up = std::fs::read_to_string(dir.join("upstream.fork-fuse.html")).expect("cell page");
    assert!(up.contains("one eviction changes it: with <code>evictions=1</code> the verdict is DEADLOCK LATENCY-SERVER."), "{up}");
    assert!(!index.contains("<script"), "no JavaScript");
    let page = std::fs::read_to_string(dir.join("hold-io.fork-fuse.html")).expect("cell page");
    assert!(page.contains("<pre class=\"evidence\">"), "{page}");
    // The text is escaped: `->` in the causes becomes `-&gt;`.
    assert!(page.contains("3 -&gt; 9"), "{page}");
    assert!(dir.join("hold-io.fork-fuse.deadlock.trace.dot").exists());
    // graphviz draws the graphs, or layout-rs where graphviz is missing: drawn either way.
    assert!(dir.join("hold-io.fork-fuse.deadlock.svg").exists());
    assert!(dir.join("hold-io.fork-fuse.deadlock.trace.svg").exists());
    // Two graphs each for deadlock and fork-waits-io.
    assert_eq!(page.matches("<svg").count(), 4, "every graph inline");
    assert!(
        !page.contains("<?xml"),
        "SVG documents are cut to their element"
    );
    if !renders(&dir.join("hold-io.fork-fuse.deadlock.dot")) {
        assert!(
            page.contains("laid out by <code>layout-rs</code>"),
            "{page}"
        );
        assert!(page.contains("apt-get install graphviz"), "{page}");
    }
}

#[test]
fn a_budget_that_stops_early_exits_3() {
    let o = faultline(&["check", "upstream", "many-faults", "--max-states", "500"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stdout(&o).contains("deadlock: INCONCLUSIVE: stopped at the state budget of 500"));
    let o = faultline(&["explain", "upstream", "many-faults", "--max-states", "500"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stdout(&o).contains("inconclusive: stopped at the state budget of 500"));
    let o = faultline(&["matrix", "--scenario", "many-faults", "--max-states", "500"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stdout(&o).contains("?DEADLOCK"), "{}", stdout(&o));
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "nope", "fork-fuse"],
            "valid designs: upstream, vma-retry, hold-io, hold-file, two-flag, approach3",
        ),
        (
            &["check", "upstream", "nope"],
            "valid scenarios: fork-fuse, tried-fuse, fork-io,",
        ),
        (
            &["check", "upstream", "fork-fuse", "--set", "bogus=1"],
            "valid knobs:",
        ),
        (
            &["check", "upstream", "fork-fuse", "--set", "mapping=anon"],
            "valid values: private, shared",
        ),
        (
            &["check", "upstream", "fork-fuse", "--property", "nope"],
            "invalid value 'nope' for '--property <P>'; valid values: deadlock",
        ),
        (
            &["check", "upstream"],
            "required arguments were not provided: <SCENARIO>",
        ),
        (
            &["replay", "upstream", "fork-fuse", "t9"],
            "does not replay here",
        ),
        (&["replay", "upstream", "fork-fuse", "zz"], "bad step `zz`"),
        (&["bogus"], "unrecognized subcommand 'bogus'"),
        (
            &["check", "upstream", "fork-fuse", "--format", "svg"],
            "valid values: text, json, dot",
        ),
        (&["explain", "nope", "fork-fuse"], "valid designs:"),
        (
            &["report", "--out", "x", "--design", "nope"],
            "valid designs:",
        ),
        (
            &[
                "report",
                "--out",
                "x",
                "--scenario",
                "fork-fuse",
                "--set",
                "faults=2",
            ],
            "no selected design x scenario has the knob `faults`",
        ),
        (&["report"], "not provided: --out <DIR>"),
        (
            &["check", "upstream", "fork-fuse", "--dot", "/proc/nope/x"],
            "cannot write",
        ),
    ];
    for (args, needle) in cases {
        let o = faultline(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
        assert!(
            err.starts_with("faultline: error: ") && err.contains(needle),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
}

#[test]
fn list_names_every_design_scenario_knob_and_property() {
    let o = faultline(&["list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for word in [
        "upstream",
        "hold-io",
        "fork-fuse",
        "tried-fuse",
        "many-faults",
        "--set fork-lock=",
        "--set mapping=",
        "--set admission=",
        "deadlock",
    ] {
        assert!(out.contains(word), "missing {word}:\n{out}");
    }
}

#[test]
fn check_with_loom_and_shuttle_exits_1_and_prints_the_deadlock_trace() {
    for engine in ["loom", "shuttle"] {
        let o = faultline(&["check", "hold-io", "fork-fuse", "--engine", engine]);
        assert_eq!(o.status.code(), Some(1), "{engine}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(&format!("engine    {engine}: ")), "{out}");
        assert!(out.contains("executions"), "{out}");
        assert!(
            out.contains(&format!(
                "deadlock: VIOLATED (counterexample, 11 steps, found by {engine})"
            )),
            "{out}"
        );
        assert!(out.contains("vma_start_write(F)"), "{out}");
        assert!(out.contains("wait-for cycle at the final state:"), "{out}");
        assert!(
            out.contains("replay: faultline replay hold-io fork-fuse t0,"),
            "{out}"
        );
        assert!(stderr(&o).is_empty(), "{engine}: {}", stderr(&o));
    }
}

#[test]
fn loom_and_shuttle_report_holds_with_executions_and_states() {
    for engine in ["loom", "shuttle"] {
        let o = faultline(&[
            "check",
            "upstream",
            "fork-fuse",
            "--engine",
            engine,
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{engine}: {}", stderr(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
        assert_eq!(j["engine"], engine);
        assert_eq!(j["results"][0]["status"], "holds");
        assert_eq!(j["stats"]["states"], 209);
        assert!(j["stats"]["executions"].as_u64().expect("executions") > 0);
    }
}

#[test]
fn a_shuttle_schedule_replays_from_the_command_line() {
    let o = faultline(&["check", "upstream", "tried-fuse", "--engine", "shuttle"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("replay the shuttle schedule: "))
        .expect("a shuttle schedule");
    let args: Vec<&str> = line.split_whitespace().skip(5).collect();
    assert_eq!(
        args[..4],
        ["replay", "upstream", "tried-fuse", "--engine"],
        "{line}"
    );
    let o = faultline(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("the trace violates: deadlock"));
    let o = faultline(&[
        "replay",
        "upstream",
        "tried-fuse",
        "--engine",
        "shuttle",
        "zz!",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn loom_refuses_five_threads_and_unknown_engines_in_one_line() {
    for args in [
        &[
            "check",
            "upstream",
            "many-faults",
            "--set",
            "faults=3",
            "--engine",
            "loom",
        ][..],
        &["check", "upstream", "fork-fuse", "--engine", "spin"][..],
    ] {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
        assert!(stdout(&o).is_empty());
    }
    let o = faultline(&["check", "upstream", "many-faults", "--engine", "loom"]);
    assert!(
        stderr(&o).contains("loom runs at most 4 model threads and this scenario has 5"),
        "{}",
        stderr(&o)
    );
}

/// Runs faultline under a pseudo-terminal (util-linux `script`), as a person would,
/// until the terminal has shown every needle (then stops it) or the command ends;
/// returns what the terminal showed.
fn in_a_terminal(args: &str, needles: &[&str]) -> String {
    use std::io::Read;
    let cmd = format!("exec {} {args}", env!("CARGO_BIN_EXE_faultline"));
    let mut child = Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs (apt-get install util-linux)");
    let mut out = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut shown = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(chunk) => shown.extend(chunk),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let text = String::from_utf8_lossy(&shown);
        if !needles.is_empty() && needles.iter().all(|n| text.contains(n)) {
            break;
        }
    }
    // Closing the terminal hangs faultline up, if it still runs.
    let _ = child.kill();
    let _ = child.wait();
    String::from_utf8_lossy(&shown).into_owned()
}

#[test]
fn a_long_check_shows_progress_in_a_terminal_and_not_with_quiet() {
    // Far more states than fit in a test's time: the line shows within about a
    // second and the run is stopped.
    let shown = in_a_terminal(
        "check upstream many-faults --set faults=8",
        &["states/s, depth", " MiB"],
    );
    assert!(
        shown.contains("states/s, depth"),
        "no progress line: {shown}"
    );
    let quiet = in_a_terminal("--quiet check upstream many-faults --reduce none", &[]);
    assert!(quiet.contains("engine    native: 275799 states"), "{quiet}");
    assert!(
        !quiet.contains("starting") && !quiet.contains("states/s, depth"),
        "{quiet}"
    );
    let o = faultline(&["check", "upstream", "many-faults", "--max-states", "2000"]);
    assert!(stderr(&o).is_empty(), "not a terminal: no progress");
}

#[test]
fn shuttle_in_a_matrix_shows_executions_and_cells() {
    let shown = in_a_terminal(
        "matrix --engine shuttle --scenario many-faults",
        &["cell 1/6 upstream x many-faults", "executions/s, "],
    );
    assert!(shown.contains("cell 1/6 upstream x many-faults"), "{shown}");
    assert!(
        shown.contains("executions/s, "),
        "no engine progress: {shown}"
    );
}

#[test]
fn format_splat_prints_a_lockdep_style_report_in_80_ascii_columns() {
    let o = faultline(&["check", "hold-io", "fork-fuse", "--format", "splat"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("====")
            && out.contains("\nfaultline: possible circular dependency detected (model)\n"),
        "{out}"
    );
    for needle in [
        "hold-io (P3) x fork-fuse (H1): deadlock after 11 steps",
        "-> #0 (folio f: PG_locked, FUSE read): T0/fault waits",
        "  rlock(F:vm_lock);",
        "event(folio f);",
        " *** DEADLOCK ***",
        "2 locks held by T1/fork:",
        "replay: faultline replay hold-io fork-fuse \\\n     t0,t0,t0,t1,t1,t1,t1,t1,t2,t2,t2@",
        // The latency violation of the same check, without a cycle.
        "faultline: fork-waits-io violated (model)",
    ] {
        assert!(out.contains(needle), "no `{needle}` in\n{out}");
    }
    assert!(
        out.is_ascii() && out.lines().all(|l| l.len() <= 80),
        "{out}"
    );
}

#[test]
fn explain_dot_writes_the_graphs_too() {
    let tmp = temp_dir();
    let d = tmp.path().to_str().expect("utf8");
    let o = faultline(&["explain", "hold-io", "fork-fuse", "--dot", d]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("deadlock violated after 11 steps"));
    assert!(tmp.path().join("hold-io.fork-fuse.deadlock.dot").exists());
    assert!(
        tmp.path()
            .join("hold-io.fork-fuse.deadlock.trace.dot")
            .exists()
    );
    assert!(stdout(&o).contains("wrote "), "{}", stdout(&o));
}
