//! `faultline repro`: the model's side from the library, the booting delegated to the
//! harness script (a stand-in script here; CI runs the real one, `repro/run`).

use std::process::Command;

use super::{faultline, stderr, stdout, temp_dir};

#[test]
fn predict_prints_one_line_per_case_and_kernel_from_the_model() {
    let o = faultline(&["repro", "--predict", "h2", "wb-warm"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with(
        "PREDICT kernel=6.1 case=h2 predicted=HANG killable=yes hung_task=yes stuck=fault,mprotect,fuse"
    ));
    assert!(lines[3].starts_with("PREDICT kernel=6.12 case=wb-warm predicted=COMPLETE"));
    let o = faultline(&["repro", "--predict", "--kernel", "6.12", "h2"]);
    assert!(
        stdout(&o).contains("killable=yes hung_task=no"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_unknown_case_or_kernel_is_one_line_and_exit_2() {
    for args in [&["repro", "nope"][..], &["repro", "--kernel", "5.4"]] {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}

fn with_harness(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .env("FAULTLINE_REPRO_DIR", dir)
        .output()
        .expect("runs")
}

#[test]
fn the_harness_gets_the_arguments_and_its_exit_code_is_kept() {
    let tmp = temp_dir();
    let d = tmp.path();
    let o = with_harness(d, &["repro", "h2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is missing"), "{}", stderr(&o));
    let run = d.join("run");
    std::fs::write(&run, "#!/bin/sh\necho \"harness $*\"\nexit 1\n").expect("script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let o = with_harness(d, &["repro", "--kernel", "6.12", "h2", "wb"]);
    assert_eq!(stdout(&o), "harness --kernel 6.12 h2 wb\n");
    assert_eq!(o.status.code(), Some(1), "a disagreement exits 1");
    let o = with_harness(d, &["repro", "--design", "v2", "ff"]);
    assert_eq!(stdout(&o), "harness --design v2 ff\n");
}

#[test]
fn predict_names_a_design_kernel_by_its_patch_series() {
    let o = faultline(&[
        "repro",
        "--predict",
        "--design",
        "file-only",
        "ff",
        "ff-kernel",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("PREDICT kernel=7.2+file-only case=ff predicted=HANG killable=yes"),
        "{out}"
    );
    assert!(
        out.contains("PREDICT kernel=7.2+file-only case=ff-kernel predicted=HANG"),
        "{out}"
    );
}
