//! `faultline report`: an HTML report of a matrix of checks. `DIR/index.html` holds
//! the design x scenario grid and a table of every cell; each cell has a page with,
//! for each violation, the 80-column text evidence and its graphs as inline SVG
//! (rendered with graphviz `dot` when it is on PATH, else linked as `.dot` files).
//! Plain HTML and CSS, no JavaScript, every string escaped.
//!
//! The writer takes finished [`Cell`]s; [`crate::matrix`] computes them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use faultline_checker::{Engine, Options, Verdict};
use faultline_models::Model;
use faultline_traces::{html_escape as esc, svg_element, trace_text};

use crate::args::ReportArgs;
use crate::error::CliError;
use crate::explain::violation;
use crate::graphs::{Graph, graphs};
pub(crate) use crate::matrix::Cell;
use crate::matrix::{Selection, compute};
use crate::output::write_error;
use crate::progress::Progress;

/// What [`write`] produced.
pub(crate) struct Written {
    /// `DIR/index.html`.
    pub index: PathBuf,
    /// SVG files rendered.
    pub svgs: usize,
    /// Whether graphviz `dot` could run.
    pub graphviz: bool,
}

/// Checks the selected cells and writes the report.
pub(crate) fn run(a: &ReportArgs, progress: &Progress) -> Result<(u8, String), CliError> {
    let sel = Selection {
        designs: &a.select.designs,
        scenarios: &a.select.scenarios,
        sets: &a.select.sets,
        engine: Engine::Native,
        options: Options {
            budget: a.budget.budget(),
            ..Options::default()
        },
        progress,
    };
    let cells = compute(&sel)?.cells;
    progress.finish();
    let w = write(&cells, &a.out)?;
    let count = |s: &str| cells.iter().filter(|c| c.report.overall() == s).count();
    let mut out = format!(
        "wrote {}: {} cells ({} violated, {} hold, {} inconclusive), {} SVG graphs\n",
        w.index.display(),
        cells.len(),
        count("violated"),
        count("holds"),
        count("inconclusive"),
        w.svgs
    );
    if !w.graphviz {
        out += "graphviz `dot` not found: graphs are linked as .dot files \
                (apt-get install graphviz)\n";
    }
    // As for `matrix`: violations are findings; an undecided cell is not an answer.
    Ok((if count("inconclusive") > 0 { 3 } else { 0 }, out))
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
/// `.dot` and, with graphviz, `.svg` files.
pub(crate) fn write(cells: &[Cell], dir: &Path) -> Result<Written, CliError> {
    crate::output::ensure_dir(dir)?;
    let graphviz = Command::new("dot").arg("-V").output().is_ok();
    let mut svgs = 0;
    for cell in cells {
        let id = cell_id(&cell.model);
        let mut figures = Vec::new();
        for g in graphs(&cell.model, &cell.report, &id) {
            let dot_path = dir.join(&g.file);
            std::fs::write(&dot_path, &g.dot).map_err(|e| write_error(&dot_path, e))?;
            let svg = if graphviz {
                svgs += 1;
                Some(render(&dot_path)?)
            } else {
                None
            };
            figures.push((g, svg));
        }
        let page = dir.join(format!("{id}.html"));
        std::fs::write(&page, cell_page(cell, &figures, graphviz))
            .map_err(|e| write_error(&page, e))?;
    }
    let index = dir.join("index.html");
    std::fs::write(&index, index_page(cells, graphviz)).map_err(|e| write_error(&index, e))?;
    Ok(Written {
        index,
        svgs,
        graphviz,
    })
}

/// `dot -Tsvg FILE.dot -o FILE.svg`; returns the SVG text.
fn render(dot_path: &Path) -> Result<String, CliError> {
    let svg_path = dot_path.with_extension("svg");
    let out = Command::new("dot")
        .arg("-Tsvg")
        .arg(dot_path)
        .arg("-o")
        .arg(&svg_path)
        .output()
        .map_err(|e| write_error(&svg_path, e))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        let why = why.lines().next().unwrap_or("no message").to_string();
        return Err(write_error(
            &svg_path,
            std::io::Error::other(format!("dot -Tsvg failed: {why}")),
        ));
    }
    std::fs::read_to_string(&svg_path).map_err(|e| write_error(&svg_path, e))
}

const STYLE: &str = "\
body{font-family:sans-serif;margin:2em;max-width:80em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eee}
.violated{background:#f6cccc}
.holds{background:#d2efd2}
.inconclusive{background:#f3e9b8}
pre{background:#f6f6f6;border:1px solid #ddd;padding:1em;overflow-x:auto;font-size:13px}
figure{margin:1em 0;padding:.5em;border:1px solid #ddd;overflow-x:auto}
figure svg{max-width:100%;height:auto}
.note{background:#fff6d6;border:1px solid #e0c860;padding:.5em 1em}
";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

const NO_GRAPHVIZ: &str = "<p class=\"note\">graphviz <code>dot</code> was not found, so \
     the graphs are linked as <code>.dot</code> files instead of drawn. Install it \
     (<code>apt-get install graphviz</code>) and run <code>faultline report</code> again.</p>\n";

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
    let mut b = String::from("<h1>faultline report</h1>\n");
    let count = |s: &str| cells.iter().filter(|c| c.report.overall() == s).count();
    let _ = writeln!(
        b,
        "<p>{} cells: {} violated, {} hold, {} inconclusive. faultline {}.</p>",
        cells.len(),
        count("violated"),
        count("holds"),
        count("inconclusive"),
        env!("CARGO_PKG_VERSION")
    );
    if !graphviz {
        b += NO_GRAPHVIZ;
    }
    // The grid as `faultline matrix` prints it: scenarios down, designs across, each
    // cell its verdict keys.
    let mut designs: Vec<&str> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    for c in cells {
        if !designs.contains(&c.model.design.id) {
            designs.push(c.model.design.id);
        }
        if !scenarios.contains(&c.model.scenario.id) {
            scenarios.push(c.model.scenario.id);
        }
    }
    b += "<h2>Matrix</h2>\n<table id=\"matrix\">\n<tr><th>scenario \\ design</th>";
    for d in &designs {
        let _ = write!(b, "<th>{}</th>", esc(d));
    }
    b += "</tr>\n";
    for s in &scenarios {
        let _ = write!(b, "<tr><th>{}</th>", esc(s));
        for d in &designs {
            b += "<td>";
            for c in cells
                .iter()
                .filter(|c| c.model.design.id == *d && c.model.scenario.id == *s)
            {
                let status = c.report.overall();
                let knobs = knobs_text(&c.model);
                let knobs = if knobs == "defaults" {
                    String::new()
                } else {
                    format!(" ({})", esc(&knobs))
                };
                let _ = write!(
                    b,
                    "<div class=\"{status}\"><a href=\"{}.html\">{}</a>{knobs}</div>",
                    esc(&cell_id(&c.model)),
                    esc(&c.verdict())
                );
            }
            b += "</td>";
        }
        b += "</tr>\n";
    }
    b += "</table>\n";
    // Every cell, one row, one column per property.
    let mut props: Vec<&str> = Vec::new();
    for c in cells {
        for r in &c.report.results {
            if !props.contains(&r.property.id()) {
                props.push(r.property.id());
            }
        }
    }
    b += "<h2>Cells</h2>\n<table id=\"cells\">\n<tr><th>design</th><th>scenario</th>\
          <th>knobs</th>";
    for p in &props {
        let _ = write!(b, "<th>{}</th>", esc(p));
    }
    b += "<th>states</th></tr>\n";
    for c in cells {
        let id = esc(&cell_id(&c.model));
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            esc(c.model.design.id),
            esc(c.model.scenario.id),
            esc(&knobs_text(&c.model))
        );
        for p in &props {
            match c.report.results.iter().find(|r| r.property.id() == *p) {
                Some(r) => {
                    let status = r.verdict.status();
                    let what = match &r.verdict {
                        Verdict::Violated(cx) => format!("violated ({} steps)", cx.trace.len()),
                        _ => status.to_string(),
                    };
                    let _ = write!(
                        b,
                        "<td class=\"{status}\"><a href=\"{id}.html#{}\">{what}</a></td>",
                        esc(p)
                    );
                }
                None => b += "<td>-</td>",
            }
        }
        let _ = writeln!(b, "<td>{}</td></tr>", c.report.stats.states);
    }
    b += "</table>\n";
    page("faultline report", &b)
}

fn cell_page(cell: &Cell, figures: &[(Graph, Option<String>)], graphviz: bool) -> String {
    let m = &cell.model;
    let mut b = String::from("<p><a href=\"index.html\">&larr; all cells</a></p>\n");
    let _ = writeln!(
        b,
        "<h1>{} x {}</h1>\n<p>design: {}<br>scenario: {}<br>knobs: {}<br>engine {}: {}</p>",
        esc(m.design.id),
        esc(m.scenario.id),
        esc(m.design.title),
        esc(m.scenario.title),
        esc(&m
            .knobs
            .pairs()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")),
        esc(cell.report.engine),
        esc(&cell.report.stats.to_string())
    );
    if !graphviz && !figures.is_empty() {
        b += NO_GRAPHVIZ;
    }
    for r in &cell.report.results {
        let p = r.property.id();
        let status = r.verdict.status();
        let _ = writeln!(
            b,
            "<section id=\"{}\">\n<h2 class=\"{status}\">{}: {status}</h2>",
            esc(p),
            esc(p)
        );
        match &r.verdict {
            Verdict::Holds => {
                let _ = writeln!(
                    b,
                    "<p>All {} reachable states explored.</p>",
                    cell.report.stats.states
                );
            }
            Verdict::Inconclusive(limit) => {
                let _ = writeln!(b, "<p>{}</p>", esc(&limit.to_string()));
            }
            Verdict::Violated(cx) => {
                let _ = writeln!(
                    b,
                    "<pre class=\"evidence\">{}</pre>",
                    esc(&violation(m, r.property, cx))
                );
                let _ = writeln!(
                    b,
                    "<details><summary>step table with what changed</summary>\
                     <pre>{}</pre></details>",
                    esc(&trace_text(&m.machine, &cx.trace, 100))
                );
                for (g, svg) in figures.iter().filter(|(g, _)| g.property == p) {
                    b += &figure(g, svg.as_deref());
                }
            }
        }
        b += "</section>\n";
    }
    page(&format!("{} x {}", m.design.id, m.scenario.id), &b)
}

fn figure(g: &Graph, svg: Option<&str>) -> String {
    let file = esc(&g.file);
    let mut f = format!(
        "<figure>\n<figcaption>{} (<a href=\"{file}\">{file}</a>",
        g.kind
    );
    let drawn = svg.and_then(svg_element);
    if drawn.is_some() {
        let svg_file = Path::new(&g.file).with_extension("svg");
        let svg_file = esc(&svg_file.display().to_string());
        let _ = write!(f, ", <a href=\"{svg_file}\">{svg_file}</a>");
    }
    f += ")</figcaption>\n";
    // graphviz escapes every label it writes into SVG, so the element goes in as is.
    if let Some(svg) = drawn {
        f += svg;
        f.push('\n');
    }
    f += "</figure>\n";
    f
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
        let f = figure(&graph("a<b>&\"c\".dot"), None);
        assert!(f.contains("a&lt;b&gt;&amp;&quot;c&quot;.dot"), "{f}");
        assert!(!f.contains("<b>"), "{f}");
        let svg = "<?xml version=\"1.0\"?>\n<svg><text>T0 &amp; T1</text></svg>\n";
        let f = figure(&graph("x.dot"), Some(svg));
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
