//! The crate's layout as `lib.rs` states it: every module is in its table, in an order
//! where each uses only the ones above it (so no module cycle), and every pass of
//! `compile` is in that module's table.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The names in a `//! | `name` | ... |` table, in order.
fn table(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("//! | `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

/// The `mod name;` lines of a file.
fn mods(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("mod "))
        .filter_map(|l| l.strip_suffix(';'))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// The text of module `m`: `m.rs` or every file of `m/`.
fn module_text(m: &str) -> String {
    let file = src().join(format!("{m}.rs"));
    if file.exists() {
        return read(&file);
    }
    let dir = src().join(m);
    let mut out = String::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.expect("a directory entry").path();
        out += &read(&p);
    }
    out
}

/// The crate's modules `text` names (`crate::x`, `use crate::{x, y::z}`), comments
/// left out.
fn uses(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| {
        s.trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let mut out = Vec::new();
    for part in code.split("crate::").skip(1) {
        if let Some(group) = part.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            out.extend(group.split(',').map(ident));
        } else {
            out.push(ident(part));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

#[test]
fn lib_rs_lists_every_module_in_an_order_where_each_uses_only_those_above() {
    let lib = read(&src().join("lib.rs"));
    let order = table(&lib);
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        mods(&lib),
        "lib.rs's table and its `mod` lines differ"
    );
    for (i, m) in order.iter().enumerate() {
        for u in uses(&module_text(m)) {
            if let Some(j) = order.iter().position(|o| *o == u) {
                assert!(j <= i, "`{m}` uses `{u}`, which lib.rs lists below it");
            }
        }
    }
}

#[test]
fn compile_lists_every_pass() {
    let text = read(&src().join("compile/mod.rs"));
    let mut passes = table(&text);
    passes.sort();
    assert_eq!(passes, mods(&text));
}
