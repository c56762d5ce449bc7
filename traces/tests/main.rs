//! Evidence tests: golden text and DOT for pinned counterexamples, DOT that parses back
//! and renders, and escaping.
//!
//! Golden files live in `tests/golden/`. Regenerate them only on purpose:
//! `FAULTLINE_BLESS=1 cargo test -p faultline-traces`.

use std::path::{Path, PathBuf};
use std::process::Command;

use faultline_protocol::{
    Admission, Backend, FolioId, FolioSpec, FolioStart, Machine, Op, ProgramBuilder, Reclaim, Role,
    Step, ThreadSpec, Tid,
};
use faultline_traces::{
    Trace, WaitForGraph, trace_json, trace_text, wait_for_dot, wait_for_json, wait_for_text,
};
use petgraph::dot::dot_parser::{DotAttrList, DotNodeWeight, ParseFromDot};
use petgraph::graph::DiGraph;

/// A counterexample pinned by token: file stem, design, scenario, knobs, token.
type Pinned = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Counterexamples pinned by token.
const PINNED: &[Pinned] = &[
    (
        "hold-io.fork-fuse",
        "hold-io",
        "fork-fuse",
        &[],
        "t0,t0,t0,t1,t1,t1,t1,t2,t2,t2",
    ),
    (
        "upstream.tried-fuse",
        "upstream",
        "tried-fuse",
        &[],
        "t0,t0,t0,t0,t2,t2,t2,t2,t2,t2,t2,t2,t0,t0,t0,t0,t0,t1,ev0,t0,t0,t2,t2,t2",
    ),
];

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` with the golden file, or rewrites it under `FAULTLINE_BLESS=1`.
fn assert_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var_os("FAULTLINE_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with FAULTLINE_BLESS=1)", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its golden file; if the change is intended, bless it with \
         FAULTLINE_BLESS=1\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

fn pinned() -> Vec<(&'static str, Machine, Trace)> {
    PINNED
        .iter()
        .map(|&(stem, d, s, knobs, token)| {
            let sets: Vec<_> = knobs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let model = faultline_models::build(d, s, &sets).expect("builds");
            let steps = Trace::parse_token(token).expect("token parses");
            let trace = Trace::replay(&model.machine, &steps).expect("pinned token replays");
            (stem, model.machine, trace)
        })
        .collect()
}

#[test]
fn golden_text_and_dot_of_pinned_counterexamples() {
    for (stem, m, trace) in pinned() {
        let g = WaitForGraph::at(&m, trace.last());
        assert!(
            !g.cycle().is_empty(),
            "{stem}: pinned counterexamples end in a cycle"
        );
        let steps = trace_text(&m, &trace, 100);
        assert_eq!(
            steps.lines().count(),
            1 + trace.len(),
            "{stem}: one line per step"
        );
        let text = format!("{steps}\n{}", wait_for_text(&g));
        assert!(
            text.lines().all(|l| l.len() <= 100),
            "{stem}: a line is over 100 columns"
        );
        assert_golden(&format!("{stem}.txt"), &text);
        assert_golden(&format!("{stem}.wait-for.dot"), &wait_for_dot(&g, stem));
    }
}

#[test]
fn json_names_each_step_thread_and_op() {
    for (stem, m, trace) in pinned() {
        let j = trace_json(&m, &trace);
        let steps = j["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), trace.len(), "{stem}");
        assert!(
            steps
                .iter()
                .all(|s| s["thread"].is_string() && s["op"].is_string())
        );
        assert_eq!(j["token"], trace.token());
        let g = wait_for_json(&WaitForGraph::at(&m, trace.last()));
        assert!(!g["cycle"].as_array().expect("cycle").is_empty());
    }
}

fn parse_dot(dot: &str) -> DiGraph<DotNodeWeight<'_>, DotAttrList<'_>> {
    <DiGraph<DotNodeWeight<'_>, DotAttrList<'_>> as ParseFromDot>::try_from(dot)
        .unwrap_or_else(|e| panic!("DOT does not parse: {e}\n{dot}"))
}

#[test]
fn dot_parses_back_with_the_same_nodes_and_edges() {
    for (stem, m, trace) in pinned() {
        let g = WaitForGraph::at(&m, trace.last());
        let dot = wait_for_dot(&g, stem);
        let back = parse_dot(&dot);
        assert_eq!(back.node_count(), g.graph().node_count(), "{stem}");
        assert_eq!(back.edge_count(), g.graph().edge_count(), "{stem}");
    }
}

/// A thread that locks a folio twice: the smallest self-deadlock, with hostile names.
fn hostile_machine() -> (Machine, Trace) {
    let mut b = ProgramBuilder::new("evil \"site\"");
    b.op(Op::SyncMmapReadahead { folio: FolioId(0) })
        .op(Op::FolioLock)
        .op(Op::FolioLock);
    let threads = vec![ThreadSpec {
        name: "a \"quoted\" \\ name\nsecond line".into(),
        program: b.build().expect("no labels"),
        role: Role::Fault,
    }];
    let folios = vec![FolioSpec {
        name: "f\"0\\x".into(),
        backend: Backend::Disk,
        start: FolioStart::Absent,
    }];
    let m = Machine::new(
        threads,
        vec![],
        folios,
        Admission::Fair,
        Reclaim::Bounded(0),
    )
    .expect("valid");
    let t = Step::Thread {
        tid: Tid(0),
        choice: 0,
    };
    let trace = Trace::replay(&m, &[t, Step::IoDone(FolioId(0)), t]).expect("replays");
    (m, trace)
}

#[test]
fn labels_with_quotes_backslashes_and_newlines_are_escaped_in_dot() {
    let (m, trace) = hostile_machine();
    let g = WaitForGraph::at(&m, trace.last());
    assert_eq!(g.cycle().len(), 2, "T0 -> folio -> T0");
    let dot = wait_for_dot(&g, "title with \"quotes\"\nand a \\ newline");
    assert!(
        !dot.contains("name\nsecond"),
        "raw newline inside a label:\n{dot}"
    );
    assert!(
        dot.contains(r#"a \"quoted\" \\ name\nsecond line"#),
        "{dot}"
    );
    let back = parse_dot(&dot);
    assert_eq!(back.node_count(), 2);
    render_with_graphviz("hostile", &dot);
    // A label ending in a backslash: graphviz's lexer reads `\\` as a pair, so the
    // closing quote survives (the dot-parser crate's grammar rejects this one).
    render_with_graphviz("trailing-backslash", &wait_for_dot(&g, "ends in \\"));
}

#[test]
fn dot_renders_with_graphviz() {
    for (stem, m, trace) in pinned() {
        render_with_graphviz(
            stem,
            &wait_for_dot(&WaitForGraph::at(&m, trace.last()), stem),
        );
    }
}

/// Renders DOT to SVG with graphviz `dot`. Where graphviz is missing the check is
/// skipped, unless `FAULTLINE_REQUIRE_GRAPHVIZ=1` (set by `.ci/run`) makes it fail.
fn render_with_graphviz(stem: &str, dot: &str) {
    let dir = std::env::temp_dir().join(format!("faultline-dot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join(format!("{stem}.dot"));
    std::fs::write(&input, dot).expect("write dot");
    match Command::new("dot").arg("-Tsvg").arg(&input).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "dot -Tsvg {stem}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("<svg"),
                "{stem}: no SVG"
            );
        }
        Err(e) => assert!(
            std::env::var_os("FAULTLINE_REQUIRE_GRAPHVIZ").is_none(),
            "graphviz `dot` is required here but cannot run: {e}"
        ),
    }
}

#[test]
fn one_line_per_step_and_grouped_changes() {
    // mmap_write_unlock grants two queued readers at once (rwsem_mark_wake): one phrase.
    let prog = |ops: &[Op]| {
        let mut b = ProgramBuilder::new("test");
        for &op in ops {
            b.op(op);
        }
        b.build().expect("no labels")
    };
    let t = |name: &str, ops: &[Op]| ThreadSpec {
        name: name.into(),
        program: prog(ops),
        role: Role::Fault,
    };
    let m = Machine::new(
        vec![
            t("w", &[Op::MmapWriteLock, Op::MmapWriteUnlock, Op::Exit]),
            t("r1", &[Op::MmapReadLock, Op::MmapReadUnlock, Op::Exit]),
            t("r2", &[Op::MmapReadLock, Op::MmapReadUnlock, Op::Exit]),
        ],
        vec![],
        vec![],
        Admission::Fair,
        Reclaim::Bounded(0),
    )
    .expect("valid");
    let step = |t: u8| Step::Thread {
        tid: Tid(t),
        choice: 0,
    };
    let trace = Trace::replay(&m, &[step(0), step(1), step(2), step(0)]).expect("replays");
    let text = trace_text(&m, &trace, 100);
    assert_eq!(text.lines().count(), 1 + trace.len(), "{text}");
    let last = text.lines().last().expect("a line");
    assert!(
        last.contains("mmap_lock R {T1,T2}; T0 exits; T1,T2 wake"),
        "{last}"
    );
    // A narrow width cuts the change list, never the line count.
    let narrow = trace_text(&m, &trace, 40);
    assert!(narrow.lines().all(|l| l.chars().count() <= 40), "{narrow}");
    assert_eq!(narrow.lines().count(), 1 + trace.len());
}
