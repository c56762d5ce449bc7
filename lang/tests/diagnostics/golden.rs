//! Every diagnostic kind as the CLI prints it (the `file:line:col` headline, then the
//! rendering), pinned by a golden file: `cases/NAME.fl` and `cases/NAME.stderr`.
//! `NAME.before.fl`, if present, is loaded first, so a case can span two files. Cases
//! load into an empty catalog: they do not move when the built-in files change.

use std::path::{Path, PathBuf};

use faultline_golden::assert_golden;

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics/cases")
}

/// The headline and rendering of the first error loading `name` (and its `.before`).
fn rendered(name: &str) -> String {
    let dir = cases();
    let mut c = faultline_lang::Catalog::new();
    let before = format!("{name}.before.fl");
    let mut files = Vec::new();
    if dir.join(&before).exists() {
        files.push(before);
    }
    files.push(format!("{name}.fl"));
    for f in files {
        let text = std::fs::read_to_string(dir.join(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        if let Err(e) = c.load(&f, &text) {
            return format!("{}\n{}", e.headline(), e.render());
        }
    }
    match c.unresolved() {
        Err(e) => format!("{}\n{}", e.headline(), e.render()),
        Ok(()) => panic!("{name}.fl compiles: a diagnostic case must fail"),
    }
}

#[test]
fn every_diagnostic_kind_renders_as_its_golden_file() {
    let dir = cases();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| Some(f.strip_suffix(".fl")?.to_string()))
        .filter(|n| !n.ends_with(".before"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "only {} cases", names.len());
    for name in names {
        let out = rendered(&name);
        assert!(out.is_ascii(), "{name}: {out}");
        assert_golden(&dir, &format!("{name}.stderr"), &out);
    }
}

#[test]
fn every_golden_file_has_its_case() {
    let dir = cases();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let Ok(f) = e.map(|e| e.file_name().to_string_lossy().into_owned()) else {
            continue;
        };
        if let Some(n) = f.strip_suffix(".stderr") {
            assert!(dir.join(format!("{n}.fl")).exists(), "{f} has no {n}.fl");
        }
    }
}
