//! Every diagnostic kind as the CLI prints it (the `file:line:col` headline, then the
//! rendering), pinned by a golden file: `cases/NAME.fl` and `cases/NAME.stderr`.
//! `NAME.before.fl`, if present, is loaded first, so a case can span two files. Cases
//! load into an empty catalog: they do not move when the built-in files change.

use std::path::{Path, PathBuf};

use faultline_golden::assert_golden;

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics/cases")
}

/// The kind, headline and rendering of the first error loading `name` (and its
/// `.before`).
fn rendered(name: &str) -> Option<(String, String)> {
    let dir = cases();
    let mut c = faultline_lang::Compiler::new();
    let before = format!("{name}.before.fl");
    let mut files = Vec::new();
    if dir.join(&before).exists() {
        files.push(before);
    }
    files.push(format!("{name}.fl"));
    for f in files {
        let text = std::fs::read_to_string(dir.join(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        if let Err(e) = c.load(&f, &text) {
            return Some(shown(&e));
        }
    }
    match c.unresolved() {
        Err(e) => Some(shown(&e)),
        Ok(()) => None,
    }
}

/// As the CLI shows it: the headline, then the rendering.
fn shown(e: &faultline_lang::FileError) -> (String, String) {
    let kind = e
        .diagnostics
        .first()
        .map(|d| d.kind.to_string())
        .unwrap_or_default();
    (kind, format!("{}\n{}", e.headline(), e.render()))
}

/// Kinds no `.fl` text reaches: the compiler refuses first what the protocol's builder
/// would (an unplaced label, too many objects), and the parser makes no operator the
/// evaluator lacks. The variants stay so such a refusal is still a `file:line:col`
/// error, never a panic; the test fails if a case reaches one (then move it out).
const DEFENSIVE: &[&str] = &[
    "UnsupportedOperator",
    "LabelOutsideFunction",
    "ThreadDoesNotBuild",
    "ScenarioDoesNotBuild",
];

/// Every variant of `Message`, read from its source (one list, no copy to keep).
fn kinds() -> Vec<String> {
    let src = include_str!("../../src/reporting.rs");
    let start = src.find("pub(crate) enum Message {").expect("the enum");
    let body = &src[start..];
    let body = &body[..body.find("\n}\n").expect("its end")];
    body.lines()
        .filter_map(|l| l.strip_prefix("    "))
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter_map(|l| l.split([' ', ',', '{']).next())
        .map(str::to_string)
        .collect()
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
    let mut seen = std::collections::BTreeSet::new();
    let mut compiles = Vec::new();
    for name in names {
        let Some((kind, out)) = rendered(&name) else {
            compiles.push(name);
            continue;
        };
        assert!(out.is_ascii(), "{name}: {out}");
        assert_golden(&dir, &format!("{name}.stderr"), &out);
        seen.insert(kind);
    }
    assert!(compiles.is_empty(), "cases that compile: {compiles:?}");
    let all = kinds();
    assert!(all.len() > 50, "read {} kinds from reporting.rs", all.len());
    let missing: Vec<&String> = all
        .iter()
        .filter(|k| !seen.contains(*k) && !DEFENSIVE.contains(&k.as_str()))
        .collect();
    let reached: Vec<&&str> = DEFENSIVE.iter().filter(|k| seen.contains(**k)).collect();
    assert!(
        reached.is_empty(),
        "defensive kinds a case reaches: {reached:?}"
    );
    assert!(missing.is_empty(), "kinds without a case: {missing:?}");
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
