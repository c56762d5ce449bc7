//! A `.fl` mutation fuzzer through the library, as a user's file meets it: each
//! catalog file has its design and scenario ids renamed (`X` to `X-m`, so the mutant
//! is really loaded over the whole catalog, not refused as "defined twice"), then
//! gets 1-3 mutations: token edits, truncation, random bytes, self and mutual
//! recursion of a `bool` predicate, `extends` variants (pinned global knob, no `()`,
//! a typo, a knob pinned twice, self), a leading BOM, CRLF line ends. Every mutant
//! must load or give a clean `file:line:col` error; a loaded one runs its clauses
//! under a small state budget. Never a panic, an abort or a hang (a watchdog fails
//! the test naming the mutant). `FAULTLINE_FL_FUZZ_RUNS` and `FAULTLINE_FL_FUZZ_SEED`
//! set the count and seed (CI: 10,000 and a random seed); the test prints both.

use std::io::Write as _;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use faultline::Faultline;

// The mutator's tokenizer and generator: one copy, in lang's mutation test.
#[path = "../../lang/tests/mutation/tokens.rs"]
mod tokens;

use tokens::{Rng, tokens};

/// Mutants in `cargo test`.
const RUNS: u64 = 300;
/// One mutant that takes longer has hung.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Whole-word replacement (ids contain `-`, so a word is `[A-Za-z0-9_-]+`).
fn rename_word(text: &str, from: &str, to: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before_ok = !rest[..at].chars().next_back().is_some_and(word);
        let after = &rest[at + from.len()..];
        let after_ok = !after.chars().next().is_some_and(word);
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The file with every design and scenario it declares renamed `ID-m`.
fn renamed(text: &str) -> String {
    let mut ids = Vec::new();
    for line in text.lines() {
        let mut w = line.split_whitespace();
        if let (Some("design" | "scenario"), Some(id)) = (w.next(), w.next()) {
            ids.push(id.trim_end_matches('{').to_string());
        }
    }
    ids.iter().fold(text.to_string(), |t, id| {
        rename_word(&t, id, &format!("{id}-m"))
    })
}

const RECURSION: &[&str] = &[
    "\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\treturn drops_lock_for_io(fault_lock, page);\n\t}\n",
    "\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\treturn waits_if_uptodate();\n\t}\n\tbool waits_if_uptodate()\n\t{\n\t\treturn drops_lock_for_io(1, 1);\n\t}\n",
    "\n\tbool waits_if_uptodate()\n\t{\n\t\tif (waits_if_uptodate()) return 1;\n\t\treturn waits_if_uptodate();\n\t}\n",
];
const EXTENDS: &[&str] = &[
    " extends upstream(fork-lock = none)",
    " extends upstream",
    " extends upstream(fork-lok = none)",
    " extends upstream(fork-lock = none, fork-lock = all)",
    " extends vma-retry(vma-retry-trie = off)",
    " extends upstream(admission = maybe)",
];

/// One mutation of `text`.
fn mutate_once(text: &str, r: &mut Rng) -> String {
    let toks = tokens(text);
    if toks.is_empty() {
        return text.to_string();
    }
    let (s, e) = toks[r.below(toks.len())];
    // Token offsets may fall inside a multi-byte character: cut bytes, then mend.
    let b = text.as_bytes();
    let join = |parts: &[&[u8]]| String::from_utf8_lossy(&parts.concat()).into_owned();
    match r.below(9) {
        0 => join(&[&b[..s], &b[e..]]),
        1 => join(&[&b[..e], b" ", &b[s..]]),
        2 => {
            let (s2, _) = toks[r.below(toks.len())];
            let mid = e.max(s2);
            join(&[&b[..s], &b[s2..mid], &b[mid..]])
        }
        3 => join(&[&b[..s]]),
        4 => {
            // Inside the first design or scenario body.
            let at = text.find("{\n").map_or(0, |i| i + 1);
            format!(
                "{}{}{}",
                &text[..at],
                RECURSION[r.below(RECURSION.len())],
                &text[at..]
            )
        }
        5 => match text.find("design ") {
            Some(d) => {
                let name_end = text[d + 7..]
                    .find(|c: char| c.is_whitespace() || c == '{')
                    .map_or(text.len(), |i| d + 7 + i);
                let name = &text[d + 7..name_end];
                let ext = if r.below(6) == 0 {
                    format!(" extends {name}()")
                } else {
                    EXTENDS[r.below(EXTENDS.len())].to_string()
                };
                // A design that already extends keeps only the new clause.
                let body = text[name_end..]
                    .find('{')
                    .map_or(name_end, |i| name_end + i);
                format!("{}{ext} {}", &text[..name_end], &text[body..])
            }
            None => text.to_string(),
        },
        6 => format!("\u{feff}{text}"),
        7 => text.replace('\n', "\r\n"),
        _ => {
            let mut b = text.as_bytes().to_vec();
            let at = r.below(b.len());
            b[at] = b"{}();=!|&\"\n0z\x00"[r.below(14)];
            String::from_utf8_lossy(&b).into_owned()
        }
    }
}

/// A `file:line:col` headline, or a one-line library error.
fn clean(e: &faultline::Error) -> Result<(), String> {
    let text = e.to_string();
    if text.contains("panicked") {
        return Err(text);
    }
    Ok(())
}

fn one(fl: &Faultline, files: &[(&str, &str)], r: &mut Rng) -> Result<&'static str, String> {
    let (name, text) = files[r.below(files.len())];
    let mut src = renamed(text);
    for _ in 0..1 + r.below(3) {
        src = mutate_once(&src, r);
    }
    let name = format!("m-{name}");
    let mut fl = fl.clone();
    match fl.load_str(&name, &src) {
        Err(e) => clean(&e).map(|()| "refused"),
        Ok(()) => match fl.test(&[&name]) {
            Ok(_) => Ok("loaded"),
            Err(e) => clean(&e).map(|()| "loaded"),
        },
    }
}

#[test]
fn mutants_of_renamed_catalog_files_load_or_fail_cleanly_never_crash_or_hang() {
    let runs: u64 = std::env::var("FAULTLINE_FL_FUZZ_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(RUNS);
    let seed: u64 = std::env::var("FAULTLINE_FL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00f1_f022);
    let fl = Faultline::new()
        .expect("catalog")
        .with_limits(Some(2_000), None);
    let (tx, rx) = mpsc::channel::<(u64, Result<&'static str, String>)>();
    let start = Instant::now();
    // The mutants run on a worker; this thread is the watchdog.
    let worker = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let files = faultline_models::CATALOG_FILES;
            for i in 0..runs {
                let mut r = Rng((seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1);
                let _ = tx.send((i, Err(format!("started mutant {i}"))));
                let out = one(&fl, files, &mut r);
                if tx.send((i, out)).is_err() {
                    return;
                }
            }
        })
        .expect("spawns");
    let (mut loaded, mut refused, mut failures) = (0u64, 0u64, Vec::new());
    let mut done = 0;
    while done < runs {
        match rx.recv_timeout(TIMEOUT) {
            Ok((_, Err(m))) if m.starts_with("started") => {}
            Ok((_, Ok("loaded"))) => {
                loaded += 1;
                done += 1;
            }
            Ok((_, Ok(_))) => {
                refused += 1;
                done += 1;
            }
            Ok((i, Err(e))) => {
                failures.push(format!("mutant {i} (seed {seed:#x}): {e}"));
                done += 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("a mutant ran over {TIMEOUT:?} (seed {seed:#x}, after {done} mutants)")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("the worker died (seed {seed:#x}, after {done} mutants)")
            }
        }
    }
    assert!(worker.join().is_ok());
    let _ = writeln!(
        std::io::stderr(),
        "fl fuzz: {runs} mutants (seed {seed:#x}) in {:.1} s: {loaded} loaded, {refused} \
         refused cleanly; {} failures",
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        loaded > 0 && refused > 0,
        "{loaded} loaded, {refused} refused"
    );
}

#[test]
fn renaming_gives_ids_the_catalog_does_not_have_yet() {
    let text =
        "design hold-io {\n\ttitle \"t\";\n}\nscenario fork-fuse { expect hold-io: deadlock; }\n";
    let r = renamed(text);
    assert!(r.contains("design hold-io-m {"), "{r}");
    assert!(r.contains("scenario fork-fuse-m {"), "{r}");
    assert!(r.contains("expect hold-io-m:"), "{r}");
    let mut fl = Faultline::new().expect("catalog");
    let hold = faultline_models::CATALOG_FILES
        .iter()
        .find(|(n, _)| *n == "hold-io.fl")
        .expect("hold-io.fl");
    fl.load_str("m-hold-io.fl", &renamed(hold.1))
        .expect("a renamed catalog file loads over the catalog");
}
