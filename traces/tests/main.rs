//! Evidence tests: golden text and DOT for pinned counterexamples (step table, lane
//! view, wait-for graph, trace graph), causal edges, chains, lassos, DOT that parses
//! back and renders, and escaping.
//!
//! Golden files live in `tests/golden/`. Regenerate them only on purpose:
//! `FAULTLINE_BLESS=1 cargo test -p faultline-traces`.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use faultline_protocol::{
    Admission, Backend, FolioId, FolioSpec, FolioStart, Machine, Op, ProgramBuilder, Reclaim, Role,
    Step, ThreadSpec, Tid, VmaId, VmaKind, VmaSpec, WaitOn,
};
use faultline_traces::{
    Cause, ChainEnd, Lasso, Node, SplatHead, Trace, TraceGraph, WaitForGraph, causes_text,
    lane_text, lasso_dot, lasso_text, splat, trace_graph_dot, trace_json, trace_text, wait_for_dot,
    wait_for_json, wait_for_text,
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
        "t0,t0,t0,t1,t1,t1,t1,t1,t2,t2,t2",
    ),
    (
        "upstream.tried-fuse",
        "upstream",
        "tried-fuse",
        &[],
        "t0,t0,t0,t0,t2,t2,t2,t2,t2,t2,t2,t2,t0,t0,t0,t0,t0,t1,ev0,t0,t0,t2,t2,t2",
    ),
    (
        "hold-io.fork-fuse.file-first",
        "hold-io",
        "fork-fuse",
        &[("order", "file-first")],
        "t0,t0,t0,t1,t1,t2,t2,t2",
    ),
];

/// Compares `actual` with `tests/golden/NAME`, or rewrites it under `FAULTLINE_BLESS=1`.
fn assert_golden(name: &str, actual: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    faultline_golden::assert_golden(&dir, name, actual);
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
        assert_eq!(step_lines(&steps), trace.len(), "{stem}: one row per step");
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
        process: Default::default(),
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
    // DOT goes in on stdin: no file to leave behind.
    let run = || -> std::io::Result<std::process::Output> {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(dot.as_bytes())?;
        }
        child.wait_with_output()
    };
    match run() {
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
        process: Default::default(),
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
    // A narrow width wraps the change list below its row, keeping every word.
    let narrow = trace_text(&m, &trace, 40);
    assert!(narrow.lines().all(|l| l.chars().count() <= 40), "{narrow}");
    assert_eq!(step_lines(&narrow), trace.len(), "{narrow}");
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words(&narrow).contains("mmap_lock R {T1,T2}; T0 exits; T1,T2 wake"),
        "{narrow}"
    );
}

/// Rows of a step table: lines that start with a step number (wrapped change lists
/// continue on lines that do not).
fn step_lines(table: &str) -> usize {
    table
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .count()
}

/// The email view of a counterexample: lanes, causes, wait-for chain, in 80 columns.
fn email_view(m: &Machine, trace: &Trace) -> String {
    let g = TraceGraph::new(m, trace);
    let wf = WaitForGraph::at(m, trace.last());
    format!(
        "{}\n{}\n{}",
        lane_text(m, trace, 80),
        causes_text(m, &g, 80),
        wait_for_text(&wf)
    )
}

#[test]
fn golden_lane_view_and_trace_graph_of_pinned_counterexamples() {
    for (stem, m, trace) in pinned() {
        let text = email_view(&m, &trace);
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{stem}: over 80 columns: `{line}`"
            );
        }
        // Header, one row per step, legend.
        assert_eq!(lane_text(&m, &trace, 80).lines().count(), trace.len() + 2);
        assert_golden(&format!("{stem}.lanes.txt"), &text);
        let g = TraceGraph::new(&m, &trace);
        assert_golden(&format!("{stem}.trace.dot"), &trace_graph_dot(&g, stem));
    }
}

#[test]
fn lane_view_fits_any_width_from_40_columns() {
    for (stem, m, trace) in pinned() {
        for width in [40, 60, 72, 80, 120] {
            let text = lane_text(&m, &trace, width);
            assert!(
                text.lines().all(|l| l.chars().count() <= width),
                "{stem} at {width}:\n{text}"
            );
        }
    }
}

/// `(from, to)` step numbers (1-based, as printed) and cause of each causal edge.
fn causes(m: &Machine, trace: &Trace) -> Vec<(usize, usize, Cause)> {
    TraceGraph::new(m, trace)
        .causal()
        .into_iter()
        .map(|(a, b, c, _)| (a + 1, b + 1, c))
        .collect()
}

#[test]
fn causal_edges_of_hold_io_fork_fuse() {
    let (_, m, trace) = pinned().remove(0);
    let c = causes(&m, &trace);
    let f = FolioId(0);
    // The fault's readahead submits the FUSE request the server reads.
    assert!(c.contains(&(3, 9, Cause::Submit(f))), "{c:?}");
    // fork's mmap_write_lock makes the server's mmap_read_trylock fail.
    assert!(
        c.contains(&(4, 10, Cause::Conflict(Node::MmapLock))),
        "{c:?}"
    );
    assert_eq!(c.len(), 2, "{c:?}");
    let g = TraceGraph::new(&m, &trace);
    assert_eq!(g.graph().node_count(), 11);
    // Program order: lanes of 3 + 5 + 3 steps give 11 - 3 edges, plus 2 causes.
    assert_eq!(g.graph().edge_count(), 8 + 2);
    let text = causes_text(&m, &g, 80);
    assert!(
        text.contains("3 -> 9   read request f (T0 fault to T2 fuse)"),
        "{text}"
    );
}

#[test]
fn causal_edges_of_upstream_tried_fuse() {
    let (_, m, trace) = pinned().remove(1);
    let c = causes(&m, &trace);
    let f = FolioId(0);
    for want in [
        (4, 5, Cause::Submit(f)),
        // The server's fuse_dev_do_write completes the read the fault sleeps on.
        (12, 13, Cause::Release(WaitOn::Folio(f))),
        // Reclaim's eviction makes the TRIED pass miss.
        (19, 20, Cause::Conflict(Node::Folio(f))),
        (21, 22, Cause::Submit(f)),
        // mprotect's queued mmap_write_lock makes the server's trylock fail.
        (18, 23, Cause::Conflict(Node::MmapLock)),
    ] {
        assert!(c.contains(&want), "{want:?} missing from {c:?}");
    }
}

#[test]
fn trace_graph_dot_parses_back_and_renders() {
    for (stem, m, trace) in pinned() {
        let g = TraceGraph::new(&m, &trace);
        let dot = trace_graph_dot(&g, stem);
        let back = parse_dot(&dot);
        assert_eq!(back.node_count(), trace.len(), "{stem}");
        assert!(
            dot.contains("style=dashed"),
            "{stem}: causal edges drawn dashed"
        );
        assert!(dot.contains("cluster_t0"), "{stem}: one cluster per lane");
        render_with_graphviz(&format!("{stem}.trace"), &dot);
    }
}

#[test]
fn a_chain_of_waits_ends_at_the_io_it_hangs_on_and_is_drawn_red() {
    let (stem, m, trace) = pinned().remove(0);
    let mut g = WaitForGraph::at(&m, trace.last());
    // fork waits for VMA F's reader, the fault, which waits on the FUSE read.
    let chain = g.chain_from(Tid(1)).expect("T1 is blocked");
    assert_eq!(chain.end, ChainEnd::Io(Backend::Fuse));
    let names: Vec<&str> = chain.nodes.iter().map(|&n| g.name(n)).collect();
    assert_eq!(
        names,
        ["T1 fork", "VMA F", "T0 fault", "folio f", "FUSE I/O"]
    );
    g.mark_chain(&chain);
    let text = wait_for_text(&g);
    assert!(
        text.contains("chain of waits at the final state:"),
        "{text}"
    );
    let dot = wait_for_dot(&g, stem);
    parse_dot(&dot);
    render_with_graphviz("chain", &dot);
    // Without an I/O actor on the way, the chain runs into the cycle.
    let (m, trace) = hostile_machine();
    let g = WaitForGraph::at(&m, trace.last());
    let chain = g.chain_from(Tid(0)).expect("blocked");
    assert_eq!(chain.end, ChainEnd::Cycle);
    assert_eq!(chain.nodes.len(), 3, "T0 -> folio -> T0");
    assert!(g.chain_from(Tid(1)).is_none(), "no such thread");
}

/// Two threads taking turns on `mmap_lock` forever.
fn spinners() -> Machine {
    let spin = |name: &str| {
        let mut b = ProgramBuilder::new("spin \"loop\"");
        let top = b.here();
        b.op(Op::MmapWriteLock)
            .op(Op::MmapWriteUnlock)
            .op(Op::Goto(top));
        ThreadSpec {
            name: name.into(),
            program: b.build().expect("labels placed"),
            role: Role::Fault,
            process: Default::default(),
        }
    };
    Machine::new(
        vec![spin("a"), spin("b")],
        vec![],
        vec![],
        Admission::Fair,
        Reclaim::Bounded(0),
    )
    .expect("valid")
}

#[test]
fn a_lasso_renders_its_cycle_as_text_and_dot() {
    let m = spinners();
    let (prefix, cycle) = Lasso::parse_token("t0,t0|t1,t1,t0,t0").expect("parses");
    let l = Lasso::replay(&m, &prefix, &cycle).expect("returns to its start");
    let text = lasso_text(&m, &l, 80);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    assert!(
        text.contains("-- cycle: from here on, repeats forever --"),
        "{text}"
    );
    assert!(text.contains("-- back to step 3 --"), "{text}");
    let cycle_rows = text
        .lines()
        .filter(|l| l.starts_with("> ") && l[2..].starts_with(char::is_numeric));
    assert_eq!(cycle_rows.count(), 4, "{text}");
    let dot = lasso_dot(&m, &l, "a \"lasso\"");
    assert!(dot.contains("\"s6\" -> \"s3\" [color=red"), "{dot}");
    let back = parse_dot(&dot);
    assert_eq!(back.node_count(), 6);
    render_with_graphviz("lasso", &dot);
    assert!(Lasso::replay(&m, &prefix, &cycle[..3]).is_err());
}

#[test]
fn hostile_names_are_escaped_in_the_trace_graph() {
    let (m, trace) = hostile_machine();
    let dot = trace_graph_dot(&TraceGraph::new(&m, &trace), "t \"q\" \\ \n x");
    assert!(!dot.contains("name\nsecond"), "{dot}");
    assert!(
        dot.contains(r#"a \"quoted\" \\ name\nsecond line"#),
        "{dot}"
    );
    assert!(dot.contains(r#"folio_lock(f\"0\\x)"#), "{dot}");
    assert_eq!(parse_dot(&dot).node_count(), 3);
    render_with_graphviz("hostile-trace", &dot);
}

#[test]
fn disk_completion_and_rwsem_grant_are_causes() {
    // Readahead submits the disk read; its completion wakes the folio_lock.
    let (m, trace) = hostile_machine();
    let f = FolioId(0);
    assert_eq!(
        causes(&m, &trace),
        [
            (1, 2, Cause::Submit(f)),
            (2, 3, Cause::Release(WaitOn::Folio(f)))
        ]
    );
    let g = TraceGraph::new(&m, &trace);
    assert_eq!(g.lanes().len(), 2, "the disk has its own lane");
    // mmap_write_unlock grants both queued readers: one edge to each reader's acquire.
    let t = |name: &str, ops: &[Op]| {
        let mut b = ProgramBuilder::new("test");
        for &op in ops {
            b.op(op);
        }
        ThreadSpec {
            name: name.into(),
            program: b.build().expect("no labels"),
            role: Role::Fault,
            process: Default::default(),
        }
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
    let steps = Trace::parse_token("t0,t1,t2,t0,t1,t2").expect("parses");
    let trace = Trace::replay(&m, &steps).expect("replays");
    let read = Cause::Release(WaitOn::MmapLock(faultline_protocol::Mode::Read));
    assert_eq!(causes(&m, &trace), [(4, 5, read), (4, 6, read)]);
}

#[test]
fn a_writers_vma_start_write_is_the_cause_of_the_readers_failure() {
    let mut w = ProgramBuilder::new("writer");
    w.op(Op::MmapWriteLock)
        .op(Op::VmaStartWrite { vma: VmaId(0) })
        .op(Op::MmapWriteUnlock)
        .op(Op::Exit);
    let mut r = ProgramBuilder::new("reader");
    let fail = r.label();
    r.op(Op::LockVmaUnderRcu {
        vma: VmaId(0),
        fail,
    })
    .op(Op::VmaEndRead)
    .place(fail)
    .op(Op::Exit);
    let spec = |name: &str, b: ProgramBuilder| ThreadSpec {
        name: name.into(),
        program: b.build().expect("labels placed"),
        role: Role::Fault,
        process: Default::default(),
    };
    let vma = VmaSpec {
        name: "F".into(),
        kind: VmaKind::PrivateFile,
        anon_vma: false,
        copy_on_fork: false,
    };
    let m = Machine::new(
        vec![spec("mprotect", w), spec("fault", r)],
        vec![vma],
        vec![],
        Admission::Fair,
        Reclaim::Bounded(0),
    )
    .expect("valid");
    let steps = Trace::parse_token("t0,t0,t1").expect("parses");
    let trace = Trace::replay(&m, &steps).expect("replays");
    assert_eq!(
        causes(&m, &trace),
        [(2, 3, Cause::Conflict(Node::Vma(VmaId(0))))]
    );
    let text = causes_text(&m, &TraceGraph::new(&m, &trace), 80);
    assert!(
        text.contains("2 -> 3  conflict on VMA F (T0 mprotect to T1 fault)"),
        "{text}"
    );
}

#[test]
fn splat_of_pinned_deadlocks_is_golden_ascii_and_80_columns() {
    for ((stem, m, trace), &(_, design, scenario, knobs, token)) in pinned().into_iter().zip(PINNED)
    {
        let head = SplatHead {
            model: format!("{design} x {scenario}"),
            property: "deadlock".into(),
            knobs: knobs.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            replay: format!("faultline replay {design} {scenario} {token}"),
            kill: None,
        };
        let text = splat(&m, &trace, &WaitForGraph::at(&m, trace.last()), &head);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].chars().all(|c| c == '='), "{stem}: the rule first");
        assert_eq!(
            lines[1], "faultline: possible circular dependency detected (model)",
            "{stem}: a banner that says it is a model result"
        );
        assert!(text.is_ascii(), "{stem}: ASCII only");
        for l in &lines {
            assert!(l.len() <= 80, "{stem}: over 80 columns: `{l}`");
        }
        for needle in [
            "-> #0 ",
            "Chain exists of:",
            " *** DEADLOCK ***",
            "locks held at",
        ] {
            assert!(text.contains(needle), "{stem}: no `{needle}`:\n{text}");
        }
        assert_golden(&format!("{stem}.splat.txt"), &text);
    }
}
