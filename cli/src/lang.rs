//! `faultline test FILE...` (judgelitmus for `.fl` files) and `faultline show`.

use std::fmt::Write as _;

use faultline::{ClauseStatus, Faultline};

use crate::args::{ShowArgs, TestArgs};
use crate::error::CliError;

fn lib_error(e: faultline::Error) -> CliError {
    match e {
        faultline::Error::File(f) => CliError::File(f),
        other => CliError::Lang(other.to_string()),
    }
}

/// The built-in catalog plus `files`, in order; returns the names they were loaded as.
fn session(files: &[std::path::PathBuf]) -> Result<(Faultline, Vec<String>), CliError> {
    let mut fl = Faultline::new().map_err(lib_error)?;
    let mut names = Vec::new();
    for f in files {
        // A built-in catalog file given by path is already loaded: test it in place.
        let builtin = f.file_name().and_then(|n| n.to_str()).and_then(|n| {
            let text = faultline_lang::read_text(f).ok()?;
            faultline_models::CATALOG_FILES
                .iter()
                .find(|(b, t)| *b == n && *t == text)
                .map(|(b, _)| b.to_string())
        });
        match builtin {
            Some(name) => names.push(name),
            None => {
                fl.load_file(f).map_err(lib_error)?;
                names.push(f.display().to_string());
            }
        }
    }
    fl.catalog().unresolved().map_err(|e| lib_error(e.into()))?;
    Ok((fl, names))
}

/// Runs every clause of the files: `ok` or `MISMATCH` (with why) per clause and design.
pub(crate) fn test(t: &TestArgs) -> Result<(u8, String), CliError> {
    let all: Vec<std::path::PathBuf> = t.deps.iter().chain(&t.files).cloned().collect();
    let (fl, names) = session(&all)?;
    let fl = fl.with_limits(t.budget.max_states, t.budget.max_memory);
    let names: Vec<&str> = names[t.deps.len()..].iter().map(String::as_str).collect();
    let results = fl.test(&names).map_err(lib_error)?;
    let mut out = String::new();
    let (mut mismatch, mut undecided) = (false, false);
    for r in &results {
        let clause = r.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let design = if r.design.is_empty() {
            String::new()
        } else {
            format!(" [{} x {}]", r.design, r.scenario)
        };
        let (word, detail) = match &r.status {
            ClauseStatus::Ok => ("ok", None),
            ClauseStatus::Reachable(witness) => ("ok", Some(witness)),
            ClauseStatus::Mismatch(why) => {
                mismatch = true;
                ("MISMATCH", Some(why))
            }
            ClauseStatus::Undecided(why) => {
                undecided = true;
                ("UNDECIDED", Some(why))
            }
            _ => ("UNDECIDED", None),
        };
        let _ = writeln!(out, "{word:<9} {}{design} {clause}", r.at);
        if let Some(d) = detail {
            for line in d.lines() {
                let _ = writeln!(out, "          {line}");
            }
        }
    }
    if undecided {
        let _ = writeln!(out, "{}", fl.memory());
    }
    let _ = writeln!(
        out,
        "{} clause results: {}",
        results.len(),
        if mismatch {
            "MISMATCH"
        } else if undecided {
            "undecided"
        } else {
            "all ok"
        }
    );
    Ok((
        if mismatch {
            1
        } else if undecided {
            3
        } else {
            0
        },
        out,
    ))
}

/// The compiled listing: what a reviewer checks against the kernel source.
pub(crate) fn show(s: &ShowArgs) -> Result<(u8, String), CliError> {
    let files: Vec<std::path::PathBuf> = if s.file.as_os_str() == "-" {
        Vec::new()
    } else {
        vec![s.file.clone()]
    };
    let (fl, _) = session(&files)?;
    let text = fl
        .catalog()
        .compiler()
        .listing(&s.design, &s.scenario, &s.sets)
        .map_err(|e| match e {
            faultline_lang::BuildError::File(f) => CliError::File(f),
            other => CliError::Lang(other.to_string()),
        })?;
    Ok((0, text))
}
