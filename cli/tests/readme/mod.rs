//! The README's examples are a test: every ```text block that starts with
//! `$ faultline ...` is run and its output compared line by line (`...` in a README
//! line stands for any text, for timings), and every `replay:` command it shows must
//! replay its violation. The README's `.fl` files (```c blocks that start
//! `/* NAME.fl:`) are written where the examples run.

use std::path::Path;
use std::process::Command;

use super::temp_dir;

/// One shown example: the command's words and the lines shown under it.
struct Example {
    line: usize,
    args: Vec<String>,
    shown: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "```text"
            && let Some(cmd) = lines
                .get(i + 1)
                .and_then(|l| l.strip_prefix("$ faultline "))
        {
            let start = i + 2;
            let mut end = start;
            while end < lines.len() && lines[end].trim() != "```" {
                end += 1;
            }
            out.push(Example {
                line: i + 2,
                args: cmd.split_whitespace().map(String::from).collect(),
                shown: lines[start..end].iter().map(|l| l.to_string()).collect(),
            });
            i = end;
        }
        i += 1;
    }
    out
}

/// Whether `actual` matches the README line `shown`, where `...` is any text.
fn matches(shown: &str, actual: &str) -> bool {
    let parts: Vec<&str> = shown.split("...").collect();
    if parts.len() == 1 {
        return shown.trim_end() == actual.trim_end();
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    let Some(mut rest) = actual.trim_end().strip_prefix(first) else {
        return false;
    };
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(last.trim_end())
}

/// The `replay: faultline replay ...` commands of shown output, continuation lines
/// joined.
fn replays(shown: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < shown.len() {
        if let Some(cmd) = shown[i].strip_prefix("replay: faultline ") {
            let mut cmd = cmd.to_string();
            while cmd.ends_with('\\') && i + 1 < shown.len() {
                cmd.pop();
                i += 1;
                cmd += &shown[i];
            }
            out.push(cmd.split_whitespace().map(String::from).collect());
        }
        i += 1;
    }
    out
}

/// The README's `.fl` files: ```c blocks whose first line is `/* NAME.fl: ...`, which
/// the examples run with (`faultline matrix --file never-wait.fl`).
fn files(readme: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find("```c\n") {
        rest = &rest[at + 5..];
        let body = &rest[..rest.find("```").unwrap_or(rest.len())];
        let name = body
            .strip_prefix("/* ")
            .and_then(|b| b.split_once(".fl:"))
            .map(|(n, _)| format!("{n}.fl"));
        if let Some(name) = name {
            out.push((name, body.to_string()));
        }
    }
    out
}

#[test]
fn readme_examples_run_as_shown() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let examples = examples(&readme);
    let files = files(&readme);
    assert!(
        files.iter().any(|(n, _)| n == "never-wait.fl"),
        "the README's own design"
    );
    assert!(examples.len() >= 4, "the README shows at least four runs");
    let mut replayed = 0;
    for ex in &examples {
        // `--dot out/` and the like write into a scratch directory.
        let cwd = temp_dir();
        for (name, text) in &files {
            std::fs::write(cwd.path().join(name), text).expect("writes");
        }
        let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(&ex.args)
            .current_dir(cwd.path())
            .output()
            .expect("runs");
        let actual = String::from_utf8_lossy(&o.stdout);
        let actual: Vec<&str> = actual.lines().collect();
        let cmd = ex.args.join(" ");
        assert!(
            o.status.code().is_some_and(|c| c <= 1),
            "README.md:{}: `{cmd}` failed",
            ex.line
        );
        for (k, shown) in ex.shown.iter().enumerate() {
            let got = actual.get(k).copied().unwrap_or("<no line>");
            assert!(
                matches(shown, got),
                "README.md:{}: `faultline {cmd}` line {}:\n  README: {shown}\n  actual: {got}",
                ex.line + 1 + k,
                k + 1
            );
        }
        assert_eq!(
            actual.len(),
            ex.shown.len(),
            "README.md:{}: `faultline {cmd}` prints {} lines, the README shows {}",
            ex.line,
            actual.len(),
            ex.shown.len()
        );
        for args in replays(&ex.shown) {
            let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
                .args(&args)
                .output()
                .expect("runs");
            assert_eq!(
                o.status.code(),
                Some(1),
                "README.md:{}: `faultline {}` does not replay: {}",
                ex.line,
                args.join(" "),
                String::from_utf8_lossy(&o.stderr)
            );
            replayed += 1;
        }
    }
    assert!(replayed >= 3, "every shown violation has a replay line");
}

#[test]
fn wildcards_match_any_text_and_nothing_else_does() {
    assert!(matches("a ... s, ... states/s", "a 0.31 s, 123 states/s"));
    assert!(!matches("a ... s", "b 0.31 s"));
    assert!(matches("exact", "exact  "));
    assert!(!matches("exact", "exactly"));
}
