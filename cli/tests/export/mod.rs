//! `faultline export --format promela`: the model on stdout or in a file, one-line
//! errors with exit 2.

use super::{faultline, stderr, stdout, temp_dir};

#[test]
fn export_prints_a_promela_model_with_the_knobs_in_its_header() {
    let o = faultline(&[
        "export",
        "--format",
        "promela",
        "upstream",
        "many-faults",
        "--set",
        "faults=2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("/* faultline export: upstream x many-faults, faults=2 "),
        "{out}"
    );
    assert!(out.contains("active proctype T0_"), "{out}");
    assert!(out.contains("active proctype actors()"), "{out}");
}

#[test]
fn export_to_a_file_writes_what_stdout_would_show() {
    let dir = temp_dir();
    let file = dir.path().join("m.pml");
    let path = file.to_str().expect("utf-8 path");
    let o = faultline(&["export", "hold-io", "fork-fuse", "-o", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let shown = stdout(&faultline(&["export", "hold-io", "fork-fuse"]));
    assert_eq!(std::fs::read_to_string(&file).expect("written"), shown);
}

#[test]
fn export_bad_input_is_one_line_and_exit_2() {
    let dir = temp_dir();
    let into_dir = dir.path().to_str().expect("utf-8 path").to_string();
    for args in [
        vec!["export", "nope", "fork-fuse"],
        vec!["export", "upstream", "fork-fuse", "--format", "xml"],
        vec!["export", "upstream", "many-faults", "--set", "faults=99"],
        vec!["export", "upstream", "fork-fuse", "-o", into_dir.as_str()],
        vec!["export", "upstream"],
    ] {
        let o = faultline(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("faultline: error: "), "{args:?}: {err}");
    }
}
