//! `faultline explain`: the first violation of a check in 80 columns, to paste into a
//! plain-text email: what was checked, the lane view, the causes, the wait-for chain
//! and the replay command.

use std::fmt::Write;

use faultline::Evidence;
use faultline_checker::{Checker, Report, Verdict};
use faultline_models::Model;
use faultline_traces::{causes_text, lane_text, lasso_text, wait_for_text};

use crate::args::ExplainArgs;
use crate::error::CliError;
use crate::output::replay_command;
use crate::progress::Progress;

/// Columns of plain-text email.
const WIDTH: usize = 80;

/// Checks `target` and explains the first violation: exit 1 with the explanation, 0
/// with one line when every property holds, 3 when the search was stopped.
pub(crate) fn run(a: &ExplainArgs, progress: &Progress) -> Result<(u8, String), CliError> {
    let (model, props) = crate::target(&a.target)?;
    let mut shown = |s: &faultline_checker::Stats| progress.stats(s);
    let (options, memory) = a.budget.machine(None);
    progress.budget(&options.budget);
    let report = Checker::new(&model.machine)
        .properties(&props)
        .options(&options)
        .progress(&mut shown)
        .run()?;
    progress.finish();
    let evidence = crate::output::evidence(&model, &report);
    let (code, mut out) = explain(&model, &report, &evidence);
    if let Some(dir) = &a.dot {
        for f in crate::output::write_dots(&model, &evidence, dir)? {
            out += &format!("wrote {f}\n");
        }
    }
    if code == 3 && report.stopped_by_memory() {
        out += &format!("\n{memory}\n");
    }
    Ok((code, out))
}

/// The exit code and text for a finished check.
fn explain(model: &Model, report: &Report, evidence: &[Evidence]) -> (u8, String) {
    if let Some(e) = evidence.first() {
        return (1, violation(model, e));
    }
    let inconclusive = report.results.iter().find_map(|r| match &r.verdict {
        Verdict::Inconclusive(limit) => Some((r.property, limit)),
        _ => None,
    });
    match inconclusive {
        Some((p, limit)) => (3, format!("{p}: inconclusive: {limit}\n")),
        None => (
            0,
            format!(
                "no violation: every property holds in {} x {} ({} states)\n",
                model.design.id, model.scenario.id, report.stats.states
            ),
        ),
    }
}

/// The 80-column explanation of one violation (also the text of the HTML report).
pub(crate) fn violation(model: &Model, e: &Evidence) -> String {
    let m = &model.machine;
    let mut s = String::new();
    let head = format!(
        "{} x {}: {} violated after {} steps",
        model.design.id,
        model.scenario.id,
        e.property,
        e.trace.len()
    );
    for line in [
        head,
        format!("design    {}", model.design.title),
        format!("scenario  {}", model.scenario.title),
    ] {
        let _ = writeln!(s, "{}", clip(&line));
    }
    let knobs: Vec<String> = model
        .knobs
        .pairs()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s += &wrap("knobs    ", &knobs, "         ", "");
    s.push('\n');
    s += &match &e.lasso {
        Some(lasso) => lasso_text(m, lasso, WIDTH),
        None => lane_text(m, &e.trace, WIDTH),
    };
    s.push('\n');
    s += &causes_text(m, &e.causes, WIDTH);
    s.push('\n');
    for line in wait_for_text(&e.wait_for).lines() {
        let _ = writeln!(s, "{}", clip(line));
    }
    s.push('\n');
    if let Some(k) = &e.kill {
        s += &k.text(WIDTH);
        s.push('\n');
    }
    let cmd = replay_command(model, &e.token);
    let words: Vec<String> = cmd.split(' ').map(String::from).collect();
    // A continued shell command still pastes and runs as one.
    s += &wrap("replay:", &words, "    ", " \\");
    s += &format!("{}\n", crate::output::provenance(model));
    s
}

/// `first` then the words, wrapped before `WIDTH` onto lines that start with `indent`;
/// each wrapped line ends in `cont`.
fn wrap(first: &str, words: &[String], indent: &str, cont: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    for w in words {
        if line.len() + 1 + w.len() > WIDTH - 2 && line.len() > indent.len() {
            let _ = writeln!(out, "{line}{cont}");
            line = indent.to_string();
        }
        line.push(' ');
        // A replay token longer than a line breaks after a comma; the shell joins a
        // backslash-newline inside a word, so the rest starts in column 0.
        let mut rest = w.as_str();
        while line.len() + rest.len() > WIDTH - 2 {
            let room = (WIDTH - 2).saturating_sub(line.len());
            let Some(cut) = rest[..room.min(rest.len())].rfind(',') else {
                break;
            };
            let _ = writeln!(out, "{line}{}\\", &rest[..=cut]);
            line = String::new();
            rest = &rest[cut + 1..];
        }
        line.push_str(rest);
    }
    let _ = writeln!(out, "{line}");
    out
}

/// Cuts a line to `WIDTH` characters, marking the cut with `~`.
fn clip(line: &str) -> String {
    if line.chars().count() <= WIDTH {
        return line.to_string();
    }
    let keep: String = line.chars().take(WIDTH - 1).collect();
    format!("{keep}~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_commands_wrap_with_a_continuation_within_80_columns() {
        let words: Vec<String> = (0..30).map(|i| format!("word{i}")).collect();
        let text = wrap("replay:", &words, "    ", " \\");
        assert!(text.lines().count() > 1, "{text}");
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[..lines.len() - 1].iter().all(|l| l.ends_with(" \\")));
        assert_eq!(clip(&"x".repeat(100)).chars().count(), WIDTH);
    }
}
