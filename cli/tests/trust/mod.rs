//! Regression tests for issue 18 ("Trust"), one named for each defect it caught:
//! inputs that hung or crashed it, writes outside the output, limits a command ignored.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::{faultline, stderr, stdout, temp_dir};

/// `faultline ARGS` in a shell with `ulimit -v KIB`.
fn under_ulimit_v(kib: u64, args: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(r#"ulimit -v {kib} && exec "$0" {args}"#))
        .arg(env!("CARGO_BIN_EXE_faultline"))
        .output()
        .expect("sh runs")
}

/// Exit 2 with one `faultline: error:` line containing `needle`.
fn one_line_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "wanted `{needle}` in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_fifo_given_as_file_is_refused_at_once_not_read_forever() {
    let dir = temp_dir();
    let fifo = dir.path().join("fifo.fl");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let f = fifo.to_str().expect("utf8");
    let start = Instant::now();
    for args in [
        vec!["list", "--file", f],
        vec!["test", f],
        vec!["show", f, "upstream", "fork-fuse"],
        vec!["merge", f],
    ] {
        let o = faultline(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    }
    assert!(start.elapsed() < Duration::from_secs(60));
    // /dev/zero was read to 2 GB before the allocation failed.
    one_line_error(
        &faultline(&["list", "--file", "/dev/zero"]),
        "not a regular file",
    );
}

#[test]
fn a_symlink_in_the_dot_directory_is_replaced_not_written_through() {
    let dir = temp_dir();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let victim = dir.path().join("keep.txt");
    std::fs::write(&victim, "precious").expect("write");
    let link = out.join("hold-io.fork-fuse.deadlock.dot");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let o = faultline(&[
        "check",
        "hold-io",
        "fork-fuse",
        "--dot",
        out.to_str().expect("utf8"),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    assert!(!link.is_symlink(), "the link was left in place");
    assert!(
        std::fs::read_to_string(&link)
            .expect("read")
            .starts_with("digraph")
    );
    // No temporary files left beside the output.
    let stray: Vec<_> = std::fs::read_dir(&out)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".faultline-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn export_over_its_own_design_file_is_refused() {
    let dir = temp_dir();
    let f = dir.path().join("mine.fl");
    let text = "design mine extends upstream { title \"m\"; }\n";
    std::fs::write(&f, text).expect("write");
    let p = f.to_str().expect("utf8");
    let o = faultline(&["export", "mine", "fork-fuse", "--file", p, "-o", p]);
    one_line_error(&o, "is the input file");
    assert_eq!(std::fs::read_to_string(&f).expect("read"), text);
}

#[test]
fn a_write_error_on_stdout_is_exit_2_not_success() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["export", "hold-io", "fork-fuse"])
        .stdout(full)
        .output()
        .expect("runs");
    one_line_error(&o, "cannot write stdout");
}

#[test]
fn test_takes_max_states_and_exits_3_at_the_limit() {
    let many = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/fl/many-faults.fl");
    let o = faultline(&["test", many, "--max-states", "50"]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("UNDECIDED") && out.contains("state budget"),
        "{out}"
    );
    assert!(out.contains("memory budget"), "{out}");
}

#[test]
fn test_loads_dependencies_given_with_file_in_any_order() {
    let dir = temp_dir();
    let design = dir.path().join("d.fl");
    std::fs::write(&design, "design dep-d extends upstream { title \"d\"; }\n").expect("write");
    let scen = dir.path().join("s.fl");
    std::fs::write(
        &scen,
        "design uses-d extends dep-d { title \"u\"; expect fork-fuse: ~deadlock; }\n",
    )
    .expect("write");
    let o = faultline(&[
        "test",
        scen.to_str().expect("utf8"),
        "--file",
        design.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("[uses-d x fork-fuse]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn ulimit_v_with_many_threads_runs_on_fewer_threads_not_a_spawn_panic() {
    let o = under_ulimit_v(
        1_000_000,
        "check upstream many-faults --set faults=3 --threads 200 -q",
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn the_memory_budget_printed_under_ulimit_v_is_the_one_enforced() {
    let o = under_ulimit_v(
        600_000,
        "check upstream many-faults --set faults=6 --property deadlock -q",
    );
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let stopped = out
        .split("stopped at the memory budget of ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .expect("a stop line");
    assert!(
        out.contains(&format!("memory budget {stopped} MiB:")),
        "{out}"
    );
}

#[test]
fn control_characters_in_arguments_stay_on_one_escaped_line() {
    let o = faultline(&["check", "\t\n", "fork-io"]);
    one_line_error(&o, "\\t\\n");
    let o = faultline(&["check", "\u{1b}]0;pwned\u{7}\u{1b}[2J", "fork-fuse"]);
    one_line_error(&o, "\\u{1b}]0;pwned");
    assert!(!stderr(&o).contains('\u{1b}'), "{}", stderr(&o));
}

#[test]
fn the_printed_replay_command_shell_quotes_a_file_with_spaces() {
    let dir = temp_dir();
    let f = dir.path().join("my file.fl");
    std::fs::write(&f, "design mine extends hold-io { title \"m\"; }\n").expect("write");
    let p = f.to_str().expect("utf8");
    let o = faultline(&[
        "check",
        "mine",
        "fork-fuse",
        "--file",
        p,
        "--property",
        "deadlock",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("faultline replay"))
        .expect("a replay line");
    assert!(line.contains(&format!("--file '{p}'")), "{line}");
    // Pasted into a shell, it replays.
    let cmd = line[line.find("faultline replay").expect("cmd")..].replacen(
        "faultline",
        env!("CARGO_BIN_EXE_faultline"),
        1,
    );
    let o = Command::new("sh").arg("-c").arg(&cmd).output().expect("sh");
    assert_eq!(o.status.code(), Some(1), "{cmd}: {}", stderr(&o));
}

#[test]
fn a_runtime_model_error_in_the_matrix_names_its_design_and_scenario() {
    let dir = temp_dir();
    let f = dir.path().join("rt.fl");
    std::fs::write(
        &f,
        "scenario rt-err {\n\ttitle \"t\";\n\tproperties deadlock;\n\tvma F = private-file;\n\tfolio f = disk absent;\n\tthread fault t { do_sync_mmap_readahead(f); do_sync_mmap_readahead(f); return; }\n}\n",
    )
    .expect("write");
    let o = faultline(&[
        "matrix",
        "--file",
        f.to_str().expect("utf8"),
        "--scenario",
        "rt-err",
        "--design",
        "upstream",
    ]);
    one_line_error(&o, "upstream x rt-err: ");
}

#[test]
fn concurrent_runs_into_one_output_directory_each_leave_whole_files() {
    let dir = temp_dir();
    let out = dir.path().join("dots");
    let o = out.to_str().expect("utf8");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(["matrix", "--scenario", "fork-fuse", "--dot", o, "-q"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawns")
    };
    let mut runs: Vec<_> = (0..4).map(|_| spawn()).collect();
    for r in &mut runs {
        assert!(r.wait().expect("waits").code().is_some_and(|c| c <= 1));
    }
    let mut dots = 0;
    for e in std::fs::read_dir(&out).expect("ls") {
        let p = e.expect("entry").path();
        let name = p.file_name().expect("name").to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".faultline-"),
            "a temporary file was left: {name}"
        );
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(
            text.starts_with("digraph") && text.trim_end().ends_with('}'),
            "{name} is not whole"
        );
        dots += 1;
    }
    assert!(dots > 0);
}

#[test]
fn the_splat_and_explain_carry_the_version_and_the_file_hashes() {
    for args in [
        &["check", "hold-io", "fork-fuse", "--format", "splat"][..],
        &["explain", "hold-io", "fork-fuse"][..],
    ] {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        let line = format!("faultline {}; files hold-io.fl ", env!("CARGO_PKG_VERSION"));
        assert!(out.contains(&line), "{args:?}: {out}");
        assert!(out.contains(", fork-fuse.fl "), "{out}");
    }
}

/// Caught [20]: a `dot` on PATH that fails made the whole report exit 2; the graphs are
/// now drawn by layout-rs instead, and the page says so.
#[test]
fn a_dot_that_fails_leaves_the_report_drawn_by_layout_rs_not_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let bin = temp_dir();
    let dot = bin.path().join("dot");
    std::fs::write(&dot, "#!/bin/sh\necho 'dot: broken' >&2\nexit 1\n").expect("writes");
    std::fs::set_permissions(&dot, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = std::env::var("PATH").unwrap_or_default();
    let out = temp_dir();
    let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["report", "--out"])
        .arg(out.path())
        .args(["--design", "hold-io", "--scenario", "fork-fuse"])
        .env("PATH", format!("{}:{path}", bin.path().display()))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.path().join("hold-io.fork-fuse.deadlock.dot").is_file());
    let svg = std::fs::read_to_string(out.path().join("hold-io.fork-fuse.deadlock.svg"))
        .expect("layout-rs drew the graph");
    assert!(svg.contains("<svg"), "{svg}");
    let page = std::fs::read_to_string(out.path().join("hold-io.fork-fuse.html")).expect("page");
    assert!(
        page.contains("laid out by <code>layout-rs</code>"),
        "{page}"
    );
}
