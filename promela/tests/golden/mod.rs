//! The exported text of one model, pinned.

use std::path::PathBuf;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name)
}

/// Compares `text` with the golden file; `FAULTLINE_BLESS=1` rewrites it.
fn check_golden(name: &str, text: &str) {
    let path = golden_path(name);
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (FAULTLINE_BLESS=1 writes it)", path.display()));
    assert!(
        want == text,
        "{} differs from the export (FAULTLINE_BLESS=1 rewrites it)",
        path.display()
    );
}

#[test]
fn evict_retry_upstream_exports_as_pinned() {
    let model = faultline_models::build("upstream", "evict-retry", &[]).expect("builds");
    let text =
        faultline_promela::export(&model.machine, "upstream x evict-retry").expect("exports");
    check_golden("upstream-evict-retry.pml", &text);
}

#[test]
fn a_machine_exports_without_a_spin_installation() {
    // Export is pure text: every catalog cell with default knobs exports.
    for s in faultline_models::SCENARIOS {
        for d in faultline_models::DESIGNS {
            let model = faultline_models::build(d.id, s.id, &[]).expect("builds");
            let text = faultline_promela::export(&model.machine, "x").expect("exports");
            assert!(text.contains("active proctype T0_"), "{} x {}", d.id, s.id);
        }
    }
}
