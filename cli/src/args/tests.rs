use std::ffi::OsString;
use std::path::PathBuf;

use faultline_checker::{Engine, Property};

use super::*;
use crate::format::Format;

fn parse_words(s: &str) -> Parsed {
    parse(s.split_whitespace().map(OsString::from))
}

fn command(s: &str) -> Command {
    match parse_words(s) {
        Parsed::Run(c) => c.command,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn check_with_every_option() {
    let Command::Check(c) = command(
        "check hold-io fork-fuse --set mapping=shared --set=order=file-first --dot out --json --max-states 10",
    ) else {
        panic!("not check")
    };
    assert_eq!(c.target.model.design, "hold-io");
    assert_eq!(
        c.target.model.sets,
        vec![
            ("mapping".into(), "shared".into()),
            ("order".into(), "file-first".into())
        ]
    );
    assert_eq!(c.output.dot, Some(PathBuf::from("out")));
    assert_eq!(c.output.format(), Format::Json);
    assert_eq!(c.engine.options(&c.budget).0.budget.max_states, 10);
    assert_eq!(c.engine.engine, Engine::Native);
}

#[test]
fn engine_executions_and_seed() {
    let Command::Check(c) =
        command("check hold-io fork-fuse --engine shuttle --executions 500 --seed 9")
    else {
        panic!("not check")
    };
    assert_eq!(c.engine.engine, Engine::Shuttle);
    let (o, _) = c.engine.options(&c.budget);
    assert_eq!((o.max_executions, o.seed), (500, 9));
    let Command::Matrix(m) = command("matrix --engine loom --scenario fork-fuse") else {
        panic!("not matrix")
    };
    assert_eq!(m.engine.engine, Engine::Loom);
    let Command::Replay(r) = command("replay hold-io fork-fuse --engine shuttle 01.2") else {
        panic!("not replay")
    };
    assert_eq!(r.engine().ok(), Some(Engine::Shuttle));
    assert_eq!(r.token, "01.2");
}

#[test]
fn explain_and_report_parse() {
    let Command::Explain(e) =
        command("explain hold-io fork-fuse --set evictions=1 --property deadlock --max-states 9")
    else {
        panic!("not explain")
    };
    assert_eq!(e.target.model.sets, vec![("evictions".into(), "1".into())]);
    assert_eq!(
        e.target.properties.list().ok(),
        Some(vec![Property::Deadlock])
    );
    assert_eq!(e.budget.machine(None).0.budget.max_states, 9);
    let Command::Report(r) = command("report --out r --design upstream --scenario fork-fuse")
    else {
        panic!("not report")
    };
    assert_eq!(r.out, PathBuf::from("r"));
    assert_eq!(r.select.designs, vec!["upstream".to_string()]);
    assert_eq!(r.select.scenarios, vec!["fork-fuse".to_string()]);
    let Command::Check(c) = command("check a b --format dot") else {
        panic!("not check")
    };
    assert_eq!(c.output.format(), Format::Dot);
}

#[test]
fn help_and_version_print() {
    for words in [
        "--help",
        "-h",
        "help",
        "help check",
        "check --help",
        "check a b -h",
        "--version",
    ] {
        assert!(
            matches!(parse_words(words), Parsed::Print(_)),
            "{words}: {:?}",
            parse_words(words)
        );
    }
    let Parsed::Print(help) = parse_words("help check") else {
        panic!("no help")
    };
    assert!(help.contains("--max-states"), "{help}");
}

#[test]
fn bad_command_lines_are_one_line_usage_errors() {
    for bad in [
        "",
        "frobnicate",
        "check hold-io",
        "check a b c",
        "check a b --bogus",
        "check a b --set",
        "check a b --set novalue",
        "check a b --max-states 0",
        "check a b --max-states x",
        "check a b --json=yes",
        "check a b --dot x --dot y",
        "check a b --property nope",
        "check a b --engine spin",
        "check a b --executions 0",
        "check a b --seed -1",
        "matrix --engine spin",
        "list extra",
        "matrix extra",
        "matrix --json --markdown",
        "matrix --design",
        "matrix --bogus",
        "check a b --format svg",
        "check a b --format dot --json",
        "explain a",
        "explain a b --dot x --dot y",
        "report",
        "report --out",
        "report x --out y",
        "completions tcsh",
    ] {
        match parse_words(bad) {
            Parsed::Usage(e) => assert!(!e.contains('\n') && !e.is_empty(), "{bad}: {e}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn markdown_with_a_shard_is_a_usage_error_not_a_table_panic() {
    // `--markdown` conflicts with `--json`, which clap took as satisfying `requires`.
    for bad in [
        "matrix --markdown --shard 1/2",
        "matrix --markdown --shard=2/2 --scenario fork-fuse",
    ] {
        match parse_words(bad) {
            Parsed::Usage(e) => assert!(!e.contains('\n') && !e.is_empty(), "{bad}: {e}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn shard_i_of_n_is_one_based_and_takes_every_nth_cell() {
    let Command::Matrix(m) = command("matrix --json --shard 2/3") else {
        panic!("not matrix")
    };
    let s = m.shard.expect("a shard");
    assert_eq!((s.index, s.count), (2, 3));
    let cells: Vec<usize> = (0..9).filter(|&k| s.has(k)).collect();
    assert_eq!(cells, [1, 4, 7]);
    assert!((0..5).all(|k| Shard::ALL.has(k)));
    let Command::Merge(g) = command("merge a.json b.json --markdown") else {
        panic!("not merge")
    };
    assert_eq!(g.files, [PathBuf::from("a.json"), PathBuf::from("b.json")]);
    assert!(g.markdown);
}
