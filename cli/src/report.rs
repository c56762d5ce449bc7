//! `faultline report`: an HTML report of a matrix of checks. `DIR/index.html` holds
//! the design x scenario grid and a table of every cell; each cell has a page with,
//! for each violation, the 80-column text evidence and its graphs as inline SVG
//! (laid out by graphviz `dot` when it is on PATH, else by the pure-Rust `layout-rs`).
//! Plain HTML and CSS, no JavaScript; the pages are maud templates, so every string
//! is escaped unless marked otherwise.
//!
//! The writer takes finished [`Cell`]s; [`crate::matrix`] computes them.

use std::path::{Path, PathBuf};
use std::process::Command;

use faultline::Evidence;
use faultline_checker::{Engine, Status, Verdict};
use faultline_models::Model;
use faultline_traces::{svg_element, trace_text};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::args::ReportArgs;
use crate::error::CliError;
use crate::explain::violation;
use crate::graphs::{Graph, graphs};
pub(crate) use crate::matrix::Cell;
use crate::matrix::{Selection, compute};
use crate::progress::Progress;
use crate::write::write_file;

/// What [`write`] produced.
pub(crate) struct Written {
    /// `DIR/index.html`.
    pub index: PathBuf,
    /// SVG files rendered.
    pub svgs: usize,
    /// Whether graphviz `dot` could run (else `layout-rs` drew the graphs).
    pub graphviz: bool,
}

/// Checks the selected cells and writes the report.
pub(crate) fn run(a: &ReportArgs, progress: &Progress) -> Result<(u8, String), CliError> {
    let fl = crate::catalog::session(&a.select.files.files)?;
    let sel = Selection {
        catalog: fl.catalog(),
        designs: &a.select.designs,
        scenarios: &a.select.scenarios,
        sets: &a.select.sets,
        engine: Engine::Native,
        options: {
            let options = a.budget.machine(None).0;
            progress.budget(&options.budget);
            options
        },
        progress,
        shard: crate::args::Shard::ALL,
    };
    let cells = compute(&sel)?.cells;
    progress.finish();
    let w = write(&cells, &a.out)?;
    let count = |s| cells.iter().filter(|c| c.report.overall() == s).count();
    let mut out = format!(
        "wrote {}: {} cells ({} violated, {} hold, {} inconclusive), {} SVG graphs\n",
        w.index.display(),
        cells.len(),
        count(Status::Violated),
        count(Status::Holds),
        count(Status::Inconclusive),
        w.svgs
    );
    if !w.graphviz {
        out += "graphviz `dot` not found: graphs laid out by layout-rs \
                (apt-get install graphviz for graphviz's layout)\n";
    }
    // As for `matrix`: violations are findings; an undecided cell is not an answer.
    Ok((
        if count(Status::Inconclusive) > 0 {
            3
        } else {
            0
        },
        out,
    ))
}

/// A file-name-safe id: `DESIGN.SCENARIO` plus `.KNOB=VALUE` for knobs off default.
fn cell_id(model: &Model) -> String {
    let knobs = crate::output::set_args(model).replace(" --set ", ".");
    format!("{}.{}{knobs}", model.design.id, model.scenario.id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._=-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `dir/index.html`, one page per cell, and the graphs of each violation as
/// `.dot` and `.svg` files.
pub(crate) fn write(cells: &[Cell], dir: &Path) -> Result<Written, CliError> {
    crate::output::ensure_dir(dir)?;
    // graphviz that is missing or fails: layout-rs draws the graphs.
    let mut graphviz = Command::new("dot").arg("-V").output().is_ok();
    let mut svgs = 0;
    let mut pages = Vec::new();
    for cell in cells {
        let id = cell_id(&cell.model);
        let evidence = crate::output::evidence(&cell.model, &cell.report);
        let mut figures = Vec::new();
        for g in graphs(&cell.model, &evidence, &id) {
            let dot_path = dir.join(&g.file);
            write_file(&dot_path, g.dot.as_bytes())?;
            // graphviz when it is there and works; layout-rs otherwise.
            let drawn = graphviz.then(|| render(&g.dot)).flatten();
            graphviz &= drawn.is_some();
            let svg = match drawn {
                Some(svg) => svg,
                None => layout(&dot_path, &g.dot)?,
            };
            write_file(&dot_path.with_extension("svg"), svg.as_bytes())?;
            svgs += 1;
            figures.push((g, Some(svg)));
        }
        pages.push((id, evidence, figures));
    }
    for (cell, (id, evidence, figures)) in cells.iter().zip(&pages) {
        let page = dir.join(format!("{id}.html"));
        write_file(
            &page,
            cell_page(cell, evidence, figures, graphviz).as_bytes(),
        )?;
    }
    let index = dir.join("index.html");
    write_file(&index, index_page(cells, graphviz).as_bytes())?;
    Ok(Written {
        index,
        svgs,
        graphviz,
    })
}

/// `dot -Tsvg` of `dot_text`; `None` when graphviz fails (layout-rs then draws it
/// as its `.dot` file).
fn render(dot_text: &str) -> Option<String> {
    use std::io::Write as _;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let text = dot_text.to_string();
    // Fed from a thread: dot may write before it has read everything.
    let feeder = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().ok()?;
    let fed = feeder.join().ok()?.is_ok();
    (fed && out.status.success())
        .then(|| String::from_utf8(out.stdout).ok())
        .flatten()
}

/// The SVG of `dot` laid out by `layout-rs`.
fn layout(dot_path: &Path, dot: &str) -> Result<String, CliError> {
    let svg_path = dot_path.with_extension("svg");
    let graph = layout::gv::DotParser::new(dot).process().map_err(|why| {
        crate::output::write_error(
            &svg_path,
            std::io::Error::other(format!("layout-rs cannot read the DOT: {why}")),
        )
    })?;
    let mut builder = layout::gv::GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut svg = layout::backends::svg::SVGWriter::new();
    builder.get().do_it(false, false, false, &mut svg);
    Ok(svg.finalize())
}

const STYLE: &str = "\
body{font-family:sans-serif;margin:2em;max-width:80em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eee}
.violated{background:#f6cccc}
.holds{background:#d2efd2}
.inconclusive{background:#f3e9b8}
.latency-io{background:#fbe3c4}
.latency-held{background:#f7c08a}
.latency-server{background:#e3a1d6}
pre{background:#f6f6f6;border:1px solid #ddd;padding:1em;overflow-x:auto;font-size:13px}
figure{margin:1em 0;padding:.5em;border:1px solid #ddd;overflow-x:auto}
figure svg{max-width:100%;height:auto}
.note{background:#fff6d6;border:1px solid #e0c860;padding:.5em 1em}
";

// The pages are maud templates: every interpolated string is escaped unless it is
// wrapped in `PreEscaped`, which only the style sheet and the laid-out SVG are.

fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

fn no_graphviz() -> Markup {
    html! {
        p.note {
            "graphviz " code { "dot" } " was not found, so the graphs are laid out by "
            code { "layout-rs" } ". For graphviz's layout install it ("
            code { "apt-get install graphviz" } ") and run " code { "faultline report" }
            " again."
        }
    }
}

/// Knobs off their defaults, `defaults` if none.
fn knobs_text(model: &Model) -> String {
    let k = crate::output::set_args(model).replace(" --set ", " ");
    if k.is_empty() {
        "defaults".into()
    } else {
        k.trim().to_string()
    }
}

fn index_page(cells: &[Cell], graphviz: bool) -> String {
    let count = |s| cells.iter().filter(|c| c.report.overall() == s).count();
    // The grid as `faultline matrix` prints it: scenarios down, designs across, each
    // cell its verdict keys.
    let mut designs: Vec<&str> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    let mut props: Vec<&str> = Vec::new();
    for c in cells {
        if !designs.contains(&c.model.design.id) {
            designs.push(c.model.design.id);
        }
        if !scenarios.contains(&c.model.scenario.id) {
            scenarios.push(c.model.scenario.id);
        }
        for r in &c.report.results {
            if !props.contains(&r.property.id()) {
                props.push(r.property.id());
            }
        }
    }
    let at = |d: &str, s: &str| -> Vec<&Cell> {
        cells
            .iter()
            .filter(|c| c.model.design.id == d && c.model.scenario.id == s)
            .collect()
    };
    let body = html! {
        h1 { "faultline report" }
        p {
            (cells.len()) " cells: " (count(Status::Violated)) " violated, "
            (count(Status::Holds)) " hold, " (count(Status::Inconclusive))
            " inconclusive. faultline "
            (env!("CARGO_PKG_VERSION")) "."
        }
        @if !graphviz { (no_graphviz()) }
        h2 { "Matrix" }
        table #matrix {
            tr {
                th { "scenario \\ design" }
                @for d in &designs { th { (d) } }
            }
            @for s in &scenarios {
                tr {
                    th { (s) }
                    @for d in &designs {
                        td {
                            @for c in at(d, s) {
                                @let knobs = knobs_text(&c.model);
                                div class=(cell_class(c)) {
                                    a href={ (cell_id(&c.model)) ".html" } { (c.verdict.shown()) }
                                    @if knobs != "defaults" { " (" (knobs) ")" }
                                }
                            }
                        }
                    }
                }
            }
        }
        (legend(cells))
        // Every cell, one row, one column per property.
        h2 { "Cells" }
        table #cells {
            tr {
                th { "design" } th { "scenario" } th { "knobs" }
                @for p in &props { th { (p) } }
                th { "states" }
            }
            @for c in cells {
                @let id = cell_id(&c.model);
                tr {
                    td { (c.model.design.id) }
                    td { (c.model.scenario.id) }
                    td { (knobs_text(&c.model)) }
                    @for p in &props {
                        @match c.report.results.iter().find(|r| r.property.id() == *p) {
                            Some(r) => {
                                td class=(r.verdict.status().id()) {
                                    a href={ (id) ".html#" (p) } {
                                        @match &r.verdict {
                                            Verdict::Violated(cx) => {
                                                "violated (" (cx.trace.len()) " steps)"
                                            }
                                            v => (v.status().id()),
                                        }
                                    }
                                }
                            }
                            None => td { "-" },
                        }
                    }
                    td { (c.report.stats.states) }
                }
            }
        }
    };
    page("faultline report", body)
}

/// The class (colour) of a grid cell: a cell whose only violation is LATENCY is
/// coloured by its grade; any other by its status.
fn cell_class(c: &Cell) -> String {
    let v = &c.verdict;
    match v.latency {
        Some(l) if !v.keys.is_empty() && v.keys.iter().all(|k| k == "LATENCY") => {
            format!("latency-{}", l.id())
        }
        _ => c.report.overall().id().to_string(),
    }
}

/// The grades' colours and meanings, the eviction mark, and the cells it marks.
fn legend(cells: &[Cell]) -> Markup {
    let marked: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.verdict.eviction.is_some())
        .collect();
    html! {
        ul #legend {
            @for l in faultline::Latency::ALL {
                li { span class={ "latency-" (l.id()) } { (l.key()) } ": " (l.meaning()) "." }
            }
            li {
                (faultline::EVICTION_MARK) ": one eviction changes the verdict (the cell \
                 with --set evictions=1, or evictions=0 where it evicts):"
                @if marked.is_empty() { " no cell here." }
                ul {
                    @for c in &marked {
                        @if let Some(e) = &c.verdict.eviction {
                            li {
                                (c.model.design.id) " x " (c.model.scenario.id) ": "
                                (c.verdict.shown()) "; with " code { (e.set) } ": " (e.verdict)
                            }
                        }
                    }
                }
            }
        }
    }
}

fn cell_page(
    cell: &Cell,
    evidence: &[Evidence],
    figures: &[(Graph, Option<String>)],
    graphviz: bool,
) -> String {
    let m = &cell.model;
    let knobs: Vec<String> = m.knobs.pairs().map(|(k, v)| format!("{k}={v}")).collect();
    let body = html! {
        p { a href="index.html" { (PreEscaped("&larr;")) " all cells" } }
        h1 { (m.design.id) " x " (m.scenario.id) }
        p {
            "design: " (m.design.title) br;
            "scenario: " (m.scenario.title) br;
            "knobs: " (knobs.join(" ")) br;
            "engine " (cell.report.engine) ": " (cell.report.stats) br;
            "verdict: " (cell.verdict.shown())
            @if let Some(l) = cell.verdict.latency { br; (l.key()) ": " (l.meaning()) "." }
            @if let Some(e) = &cell.verdict.eviction {
                br; "one eviction changes it: with " code { (e.set) } " the verdict is " (e.verdict) "."
            }
        }
        @if !graphviz && !figures.is_empty() { (no_graphviz()) }
        @for r in &cell.report.results {
            @let p = r.property.id();
            @let status = r.verdict.status().id();
            section id=(p) {
                h2 class=(status) { (p) ": " (status) }
                @match &r.verdict {
                    Verdict::Holds => {
                        p { "All " (cell.report.stats.states) " reachable states explored." }
                    }
                    Verdict::Inconclusive(limit) => p { (limit) },
                    Verdict::Violated(_) => @if let Some(e) = crate::output::of(evidence, r.property) {
                        pre.evidence { (violation(m, e)) }
                        details {
                            summary { "step table with what changed" }
                            pre { (trace_text(&m.machine, &e.trace, 100)) }
                        }
                        @for (g, svg) in figures.iter().filter(|(g, _)| g.property == p) {
                            (figure(g, svg.as_deref()))
                        }
                    }
                }
            }
        }
    };
    page(&format!("{} x {}", m.design.id, m.scenario.id), body)
}

fn figure(g: &Graph, svg: Option<&str>) -> Markup {
    let drawn = svg.and_then(svg_element);
    let svg_file = Path::new(&g.file)
        .with_extension("svg")
        .display()
        .to_string();
    html! {
        figure {
            figcaption {
                (g.kind) " (" a href=(g.file) { (g.file) }
                @if drawn.is_some() { ", " a href=(svg_file) { (svg_file) } }
                ")"
            }
            // graphviz and layout-rs escape every label they write into SVG, so the
            // element goes in as is.
            @if let Some(svg) = drawn { (PreEscaped(svg)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(file: &str) -> Graph {
        Graph {
            file: file.into(),
            kind: "trace graph",
            property: "deadlock",
            dot: String::new(),
        }
    }

    #[test]
    fn figures_escape_file_names_and_inline_only_the_svg_element() {
        let f = figure(&graph("a<b>&\"c\".dot"), None).into_string();
        assert!(f.contains("a&lt;b&gt;&amp;&quot;c&quot;.dot"), "{f}");
        assert!(!f.contains("<b>"), "{f}");
        let svg = "<?xml version=\"1.0\"?>\n<svg><text>T0 &amp; T1</text></svg>\n";
        let f = figure(&graph("x.dot"), Some(svg)).into_string();
        assert!(f.contains("<svg><text>T0 &amp; T1</text></svg>"), "{f}");
        assert!(f.contains("href=\"x.svg\"") && !f.contains("<?xml"), "{f}");
    }

    #[test]
    fn cell_ids_name_knobs_off_default_and_are_file_safe() {
        let sets = [("order".to_string(), "file-first".to_string())];
        let m = faultline_models::build("hold-io", "fork-fuse", &sets).expect("builds");
        assert_eq!(cell_id(&m), "hold-io.fork-fuse.order=file-first");
        let m = faultline_models::build("upstream", "tried-fuse", &[]).expect("builds");
        assert_eq!(cell_id(&m), "upstream.tried-fuse");
    }
}
