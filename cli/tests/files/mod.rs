//! `--file F.fl` on `list`, `check`, `matrix`, `explain`, `report` and `replay`: a
//! user's designs and scenarios join the catalog by id.

use super::{faultline, stderr, stdout, temp_dir};

/// A design (the README's never-wait) and a scenario (fork-fuse, renamed).
const DESIGN: &str = "design never-wait {\n\ttitle \"never wait for I/O under a lock\";\n\tvm_fault_t drop_for_io(fault_lock, page, folio, readahead)\n\t{\n\t\trelease_fault_lock(fault_lock);\n\t\tif (readahead)\n\t\t\tdo_sync_mmap_readahead(folio);\n\t\tif (page == FILE) {\n\t\t\tfolio_lock();\n\t\t\tfolio_unlock();\n\t\t} else {\n\t\t\tfolio_wait_locked(folio);\n\t\t}\n\t\tfolio_put();\n\t\treturn VM_FAULT_RETRY;\n\t}\n}\n";
const SCENARIO: &str = "scenario my-fork-fuse {\n\ttitle \"fork vs a FUSE fault\";\n\tproperties deadlock;\n\tvma B = anon;\n\tvma F = private-file;\n\tfolio f = fuse absent;\n\tthread fault fault { do_user_addr_fault(user, F, FILE, f); return; }\n\tthread fork fork { dup_mmap(); return; }\n\tdaemon fuse { fuse_server(B, kernel, first-touch); }\n}\n";
/// An unknown call on line 3, column 2.
const BAD: &str =
    "design oops {\n\ttitle \"t\";\n\tvoid do_mprotect_pkey(vma) { mmap_write_lok(); }\n}\n";

struct Files {
    _dir: tempfile::TempDir,
    design: String,
    scenario: String,
    bad: String,
}

fn files() -> Files {
    let dir = temp_dir();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("writes");
        p.to_str().expect("utf8").to_string()
    };
    Files {
        design: write("never-wait.fl", DESIGN),
        scenario: write("my-fork-fuse.fl", SCENARIO),
        bad: write("bad.fl", BAD),
        _dir: dir,
    }
}

#[test]
fn matrix_with_files_shows_the_design_as_a_column_and_the_scenario_as_a_row() {
    let f = files();
    let o = faultline(&[
        "matrix",
        "--file",
        &f.design,
        "--file",
        &f.scenario,
        "--scenario",
        "fork-fuse",
        "--scenario",
        "my-fork-fuse",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    let want: Vec<&str> = std::iter::once("scenario")
        .chain(super::DESIGNS)
        .chain(["never-wait"])
        .collect();
    assert_eq!(head, want, "{out}");
    let row = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(id))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    // The user's scenario is fork-fuse's shape: hold-io deadlocks there too.
    assert_eq!(row("fork-fuse").last(), Some(&"OK"), "{out}");
    assert_eq!(
        row("my-fork-fuse"),
        [
            "my-fork-fuse",
            "OK",
            "OK",
            "DEADLOCK",
            "DEADLOCK",
            "OK",
            "DEADLOCK",
            "OK"
        ],
        "{out}"
    );
    assert!(out.contains("\n14 cells, "), "{out}");
}

#[test]
fn list_with_a_file_names_its_design_and_scenario() {
    let f = files();
    let o = faultline(&["list", "--file", &f.design, "--file", &f.scenario]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("  never-wait   never wait for I/O under a lock\n"),
        "{out}"
    );
    assert!(
        out.contains("  my-fork-fuse fork vs a FUSE fault\n"),
        "{out}"
    );
    let plain = stdout(&faultline(&["list"]));
    assert!(!plain.contains("never-wait"), "{plain}");
}

#[test]
fn a_bad_file_is_exit_2_with_file_line_col_on_every_command() {
    let f = files();
    let out_dir = temp_dir();
    let out = out_dir.path().to_str().expect("utf8");
    let commands: [&[&str]; 6] = [
        &["list"],
        &["check", "upstream", "fork-fuse"],
        &["matrix", "--scenario", "fork-fuse"],
        &["explain", "upstream", "fork-fuse"],
        &["report", "--scenario", "fork-fuse", "--out", out],
        &["replay", "upstream", "fork-fuse", "t0"],
    ];
    for cmd in commands {
        let mut args = cmd.to_vec();
        args.extend(["--file", &f.bad]);
        let o = faultline(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with(&format!(
                "faultline: error: {}:3:31: unknown call `mmap_write_lok`",
                f.bad
            )),
            "{cmd:?}: {err}"
        );
        assert!(err.contains("did you mean `mmap_write_lock`?"), "{err}");
        assert!(stdout(&o).is_empty(), "{cmd:?}");
    }
    let o = faultline(&["list", "--file", "/nonexistent/x.fl"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("faultline: error: cannot read /nonexistent/x.fl: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_user_models_replay_command_carries_its_files_and_its_hash() {
    let f = files();
    let o = faultline(&["check", "hold-io", "my-fork-fuse", "--file", &f.scenario]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let cmd = out
        .lines()
        .find_map(|l| l.strip_prefix("replay: faultline "))
        .unwrap_or_else(|| panic!("{out}"));
    let args: Vec<&str> = cmd.split_whitespace().collect();
    assert_eq!(
        args[..5],
        [
            "replay",
            "hold-io",
            "my-fork-fuse",
            "--file",
            f.scenario.as_str()
        ],
        "{cmd}"
    );
    let o = faultline(&args);
    assert_eq!(o.status.code(), Some(1), "{cmd}: {}", stderr(&o));
    // The token is bound to the compiled model: fork-fuse's is refused.
    let token = args[args.len() - 1];
    let o = faultline(&["replay", "hold-io", "fork-fuse", token]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    // explain takes the file too.
    let o = faultline(&["explain", "hold-io", "my-fork-fuse", "--file", &f.scenario]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn report_with_a_file_has_a_page_for_the_users_cell() {
    let f = files();
    let tmp = temp_dir();
    let dir = tmp.path();
    let o = faultline(&[
        "report",
        "--out",
        dir.to_str().expect("utf8"),
        "--file",
        &f.design,
        "--design",
        "never-wait",
        "--scenario",
        "fork-fuse",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.join("never-wait.fork-fuse.html").exists());
}
