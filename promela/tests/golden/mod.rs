//! The exported text of one model, pinned.

use std::path::PathBuf;

/// Compares `text` with `tests/golden/NAME`; `FAULTLINE_BLESS=1` rewrites it.
fn check_golden(name: &str, text: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    faultline_golden::assert_golden(&dir, name, text);
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
