//! `--format splat`: a violation the way kernel developers read lockdep. A banner that
//! says it is a model result (so nobody files it as a real splat), the chain of waits
//! as `-> #N` entries with the steps that created them, a per-thread scenario table,
//! `*** DEADLOCK ***` and the locks held. Folio and I/O waits, which lockdep cannot
//! express, use DEPT's `wait`/`event` words. ASCII, at most 80 columns.
//!
//! Everything comes from the replayed trace and the wait-for graph at its end; the
//! "frames" are the kernel function of each step and the function it sits in.

use std::fmt::Write;

use faultline_protocol::{FolioId, FolioState, Machine, Mode, Tid, VmaId, WaitOn, World};
use petgraph::graph::NodeIndex;

use crate::describe::{function, site};
use crate::kill_text::KillReport;
use crate::trace::Trace;
use crate::wait_for::{Node, WaitForGraph};

/// Columns of the report.
const WIDTH: usize = 80;
/// Width of a column of the scenario table (three fit in 80).
const COLUMN: usize = 23;

/// What the splat says about its model, above the rule.
#[derive(Clone, Debug)]
pub struct SplatHead {
    /// `hold-io (D2) x fork-fuse (H1)`.
    pub model: String,
    /// The property violated: `deadlock`.
    pub property: String,
    /// Knob settings, `name=value`.
    pub knobs: Vec<String>,
    /// The command that replays the trace.
    pub replay: String,
    /// For a deadlock: what kill -9 and hung_task do, shown above the replay line.
    pub kill: Option<KillReport>,
}

/// The splat of a counterexample `trace` whose final waits are `g`.
pub fn splat(m: &Machine, trace: &Trace, g: &WaitForGraph, head: &SplatHead) -> String {
    let w = trace.last();
    let cycle = g.cycle();
    let mut s = String::new();
    let title = if cycle.is_empty() {
        format!("faultline: {} violated (model)", head.property)
    } else {
        "faultline: possible circular dependency detected (model)".to_string()
    };
    let rule = title.len() - 1;
    let _ = writeln!(s, "{}", "=".repeat(rule));
    let _ = writeln!(s, "{title}");
    let _ = writeln!(
        s,
        "{}",
        clip(&format!(
            "{}: {} after {} steps",
            head.model,
            head.property,
            trace.len()
        ))
    );
    if head.knobs.is_empty() {
        s += "knobs: defaults\n";
    } else {
        s += &wrap("knobs:", &head.knobs, "  ", "");
    }
    let _ = writeln!(s, "{}", "-".repeat(rule));
    if cycle.is_empty() {
        s += &no_cycle(m, trace, g);
    } else {
        s += &circular(m, trace, g, cycle);
    }
    s.push('\n');
    s += &held_locks(m, trace, w);
    s.push('\n');
    if let Some(k) = &head.kill {
        s += &k.text(WIDTH);
        s.push('\n');
    }
    let words: Vec<String> = head.replay.split(' ').map(String::from).collect();
    // A continued shell command still pastes and runs as one.
    s += &wrap("replay:", &words, "    ", " \\");
    s
}

/// One thread of the cycle: what it waits for and what of the cycle it holds.
struct Link {
    tid: Tid,
    /// The node it waits for (the next node of the cycle).
    waits: NodeIndex,
    /// The resource before it on the cycle that it holds, or (through an I/O actor)
    /// the folio whose read it must complete.
    holds: Option<NodeIndex>,
    serves: Option<FolioId>,
    /// The step (0-based) that put it to sleep.
    wait_step: Option<usize>,
}

fn links(trace: &Trace, g: &WaitForGraph, cycle: &[NodeIndex]) -> Vec<Link> {
    let gr = g.graph();
    let n = cycle.len();
    let mut out = Vec::new();
    for i in 0..n {
        let Node::Thread(tid) = gr[cycle[i]] else {
            continue;
        };
        let prev = cycle[(i + n - 1) % n];
        let (holds, serves) = match gr[prev] {
            Node::Io(_) => {
                let folio = match gr[cycle[(i + n - 2) % n]] {
                    Node::Folio(f) => Some(f),
                    _ => None,
                };
                (None, folio)
            }
            Node::Thread(_) => (None, None),
            _ => (Some(prev), None),
        };
        let wait_step = (0..trace.len())
            .rev()
            .find(|&k| trace.steps().nth(k).and_then(|s| s.tid()) == Some(tid));
        out.push(Link {
            tid,
            waits: cycle[(i + 1) % n],
            holds,
            serves,
            wait_step,
        });
    }
    out
}

fn circular(m: &Machine, trace: &Trace, g: &WaitForGraph, cycle: &[NodeIndex]) -> String {
    let gr = g.graph();
    let w = trace.last();
    let links = links(trace, g, cycle);
    let mut s = String::new();
    // The thread whose wait closes the cycle: the one that went to sleep last.
    let Some(last) = links.iter().max_by_key(|l| l.wait_step) else {
        return s;
    };
    let _ = writeln!(s, "{} is trying to acquire lock:", thread(m, last.tid));
    let _ = writeln!(
        s,
        "{}",
        clip(&format!(
            " {}, at: {}",
            wanted(m, w, last.tid, gr[last.waits]),
            at(m, trace, last.wait_step)
        ))
    );
    s.push('\n');
    let _ = writeln!(s, "the wait-for chain (in reverse order) is:");
    s.push('\n');
    // lockdep prints the chain newest dependency first: #N is the newest.
    let mut entries: Vec<&Link> = links.iter().collect();
    entries.sort_by_key(|l| std::cmp::Reverse(l.wait_step));
    let count = entries.len();
    for (k, l) in entries.iter().enumerate() {
        let what = wanted(m, w, l.tid, gr[l.waits]);
        let _ = writeln!(
            s,
            "{}",
            clip(&format!(
                "-> #{} {what}: {} waits",
                count - 1 - k,
                thread(m, l.tid)
            ))
        );
        // A folio wait sleeps before its op runs: show the op, then the last step.
        if let (Some(WaitOn::Folio(f)), Some(i)) = (m.blocked_on(w, l.tid), m.next_instr(w, l.tid))
        {
            let op = format!("{}({})", i.op.kernel_name(), m.folio_name(f));
            let _ = writeln!(s, "{}", clip(&format!("       {op:<30} asleep")));
        }
        frame(&mut s, m, trace, l.wait_step);
        if let Some(h) = l.holds {
            let since = acquired(trace, gr[h], l.tid);
            let _ = writeln!(
                s,
                "{}",
                clip(&format!("       holding {}", held_name(m, w, gr[h], l.tid)))
            );
            frame(&mut s, m, trace, since);
        }
        if let Some(f) = l.serves {
            let what = if m.under_writeback(w, f) {
                "answer its WRITE"
            } else {
                "complete its read"
            };
            let _ = writeln!(
                s,
                "{}",
                clip(&format!(
                    "       and must then signal event(folio {}): {what}",
                    m.folio_name(f)
                ))
            );
        }
    }
    s.push('\n');
    let _ = writeln!(s, "Chain exists of:");
    let names: Vec<String> = cycle
        .iter()
        .filter(|&&n| !matches!(gr[n], Node::Thread(_) | Node::Io(_)))
        .map(|&n| lock_name(m, gr[n]))
        .collect();
    let mut chain = names.clone();
    if let Some(first) = names.first() {
        chain.push(first.clone());
    }
    s += &wrap(" ", &join_arrows(&chain), "   ", "");
    s.push('\n');
    let _ = writeln!(s, " Possible unsafe locking scenario:");
    s.push('\n');
    s += &scenario(m, trace, g, &links);
    s.push('\n');
    let _ = writeln!(s, " *** DEADLOCK ***");
    s
}

/// `a --> b --> c` as words that wrap.
fn join_arrows(names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, n) in names.iter().enumerate() {
        if i + 1 < names.len() {
            out.push(format!("{n} -->"));
        } else {
            out.push(n.clone());
        }
    }
    out
}

/// The two frames of a step: its kernel function with the step number, and the
/// function it sits in.
fn frame(s: &mut String, m: &Machine, trace: &Trace, step: Option<usize>) {
    let Some(i) = step else {
        return;
    };
    let Some(st) = trace.steps().nth(i) else {
        return;
    };
    let before = trace.before(i);
    let f = function(m, before, st);
    let _ = writeln!(s, "{}", clip(&format!("       {f:<30} step {}", i + 1)));
    if let Some(site) = site(m, before, st)
        && !f.starts_with(site)
    {
        let _ = writeln!(s, "{}", clip(&format!("       {site}")));
    }
}

/// `kernel_function, step N` for a one-line `at:`.
fn at(m: &Machine, trace: &Trace, step: Option<usize>) -> String {
    match step.and_then(|i| trace.steps().nth(i).map(|st| (i, st))) {
        Some((i, st)) => format!("{}, step {}", function(m, trace.before(i), st), i + 1),
        None => "the start".into(),
    }
}

/// The per-thread table: one column per thread of the cycle, one row per step that
/// builds it; past three threads, one line per row with the thread named.
fn scenario(m: &Machine, trace: &Trace, g: &WaitForGraph, links: &[Link]) -> String {
    let gr = g.graph();
    let w = trace.last();
    let mut threads: Vec<Tid> = links.iter().map(|l| l.tid).collect();
    threads.sort();
    threads.dedup();
    // (step, order within the step, thread, text)
    let mut rows: Vec<(usize, u8, Tid, String)> = Vec::new();
    for l in links {
        if let Some(h) = l.holds
            && let Some(i) = acquired(trace, gr[h], l.tid)
        {
            rows.push((i, 0, l.tid, verb(m, w, l.tid, gr[h], true)));
        }
        let at = l.wait_step.unwrap_or(0);
        rows.push((at, 1, l.tid, verb(m, w, l.tid, gr[l.waits], false)));
        if let Some(f) = l.serves {
            rows.push((at, 2, l.tid, format!("event(folio {});", m.folio_name(f))));
        }
    }
    rows.sort_by_key(|r| (r.0, r.1, r.2));
    let mut s = String::new();
    if threads.len() <= 3 {
        let col = |t: Tid| threads.iter().position(|&x| x == t).unwrap_or(0);
        let mut header = String::from("       ");
        let mut under = String::from("       ");
        for &t in &threads {
            let name = thread(m, t);
            header += &format!("{name:<COLUMN$}");
            under += &format!("{:<COLUMN$}", "-".repeat(name.len()));
        }
        let _ = writeln!(s, "{}", header.trim_end());
        let _ = writeln!(s, "{}", under.trim_end());
        for (_, _, t, text) in rows {
            // lockdep's layout: the first column at 2, the others under their headers.
            let indent = match col(t) {
                0 => 2,
                c => 7 + c * COLUMN,
            };
            let _ = writeln!(s, "{}", clip(&format!("{}{text}", " ".repeat(indent))));
        }
    } else {
        for (_, _, t, text) in rows {
            let _ = writeln!(s, "{}", clip(&format!("  {:<12} {text}", thread(m, t))));
        }
    }
    s
}

/// A scenario row: `lock(X);`, `rlock(X);` or DEPT's `wait(folio f);`.
fn verb(m: &Machine, w: &World, t: Tid, n: Node, held: bool) -> String {
    let mode = if held {
        held_mode(w, n, t)
    } else {
        wait_mode(m, w, t)
    };
    match (n, mode) {
        (Node::Folio(f), _) if !held && matches!(w.folio(f).state, FolioState::ReadIo { .. }) => {
            format!("wait(folio {});", m.folio_name(f))
        }
        (Node::Thread(_), _) => match m.blocked_on(w, t) {
            Some(WaitOn::MmapLock(Mode::Read)) => "rlock(&mm->mmap_lock);".into(),
            Some(WaitOn::MmapLock(Mode::Write)) => "lock(&mm->mmap_lock);".into(),
            _ => "wait();".into(),
        },
        (_, Some(Mode::Read)) => format!("rlock({});", lock_name(m, n)),
        _ => format!("lock({});", lock_name(m, n)),
    }
}

/// What `t` waits for on `n`, lockdep style: `(&mm->mmap_lock){R}`.
fn wanted(m: &Machine, w: &World, t: Tid, n: Node) -> String {
    let mode = mode_char(wait_mode(m, w, t));
    match n {
        Node::Folio(f) => match w.folio(f).state {
            FolioState::ReadIo { backend, .. } if m.under_writeback(w, f) => format!(
                "(folio {}: PG_writeback, {} write)",
                m.folio_name(f),
                backend.name()
            ),
            FolioState::ReadIo { backend, .. } => format!(
                "(folio {}: PG_locked, {} read)",
                m.folio_name(f),
                backend.name()
            ),
            _ => format!("(folio {}: PG_locked)", m.folio_name(f)),
        },
        Node::Thread(u) => format!("(&mm->mmap_lock){{{mode}}} queued behind {}", thread(m, u)),
        _ => format!("({}){{{mode}}}", lock_name(m, n)),
    }
}

/// `(&mm->mmap_lock){W}` as held by `t`; a folio lock has no mode.
fn held_name(m: &Machine, w: &World, n: Node, t: Tid) -> String {
    match n {
        Node::Folio(_) => format!("({}: PG_locked)", lock_name(m, n)),
        _ => format!("({}){{{}}}", lock_name(m, n), mode_char(held_mode(w, n, t))),
    }
}

fn mode_char(mode: Option<Mode>) -> char {
    match mode {
        Some(Mode::Read) => 'R',
        Some(Mode::Write) => 'W',
        None => 'L',
    }
}

/// How `t` is waiting: read or write, for the locks that have modes.
fn wait_mode(m: &Machine, w: &World, t: Tid) -> Option<Mode> {
    match m.blocked_on(w, t)? {
        WaitOn::MmapLock(mode) => Some(mode),
        WaitOn::VmaReaders(_) => Some(Mode::Write),
        WaitOn::Folio(_) => None,
    }
}

/// How `t` holds `n` in `w`, if it does (`None` for a folio lock, which has no mode;
/// see [`holds`]).
fn held_mode(w: &World, n: Node, t: Tid) -> Option<Mode> {
    match n {
        Node::MmapLock if w.mmap.writer() == Some(t) => Some(Mode::Write),
        Node::MmapLock if w.mmap.readers().contains(t) => Some(Mode::Read),
        Node::Vma(v) if w.vma(v).readers.contains(t) => Some(Mode::Read),
        Node::Vma(v) if vma_write_held(w, v, t) => Some(Mode::Write),
        _ => None,
    }
}

/// A VMA's write lock belongs to the `mmap_lock` writer that took it.
fn vma_write_held(w: &World, v: VmaId, t: Tid) -> bool {
    let vma = w.vma(v);
    (vma.write_locked || vma.excluding == Some(t)) && w.mmap.writer() == Some(t)
}

/// Whether `t` holds `n` in `w`.
fn holds(w: &World, n: Node, t: Tid) -> bool {
    match n {
        Node::Folio(f) => w.folio(f).state == FolioState::Locked(t),
        Node::Vma(v) => {
            w.vma(v).readers.contains(t) || (w.vma(v).write_locked && w.mmap.writer() == Some(t))
        }
        Node::MmapLock => held_mode(w, n, t).is_some(),
        _ => false,
    }
}

/// The step (0-based) at which `t` last took `n` and kept it to the end.
fn acquired(trace: &Trace, n: Node, t: Tid) -> Option<usize> {
    (0..trace.len())
        .rev()
        .find(|&i| holds(trace.after(i), n, t) && !holds(trace.before(i), n, t))
}

/// lockdep's class names: `&mm->mmap_lock`, `F:vm_lock`, `folio f`.
fn lock_name(m: &Machine, n: Node) -> String {
    match n {
        Node::MmapLock => "&mm->mmap_lock".into(),
        Node::Vma(v) => format!("{}:vm_lock", m.vma_name(v)),
        Node::Folio(f) => format!("folio {}", m.folio_name(f)),
        Node::Io(b) => format!("{} I/O", b.name()),
        Node::Thread(t) => format!("{t}"),
    }
}

/// `T0/fault`: lockdep's COMM/PID order reversed, short and greppable.
fn thread(m: &Machine, t: Tid) -> String {
    m.thread_label(t).replacen(' ', "/", 1)
}

/// Without a cycle (latency, a bug pattern): the chain or every wait at the end.
fn no_cycle(m: &Machine, trace: &Trace, g: &WaitForGraph) -> String {
    let mut s = String::new();
    let edges = if g.chain().is_empty() {
        g.edges()
    } else {
        g.chain_edges()
    };
    if edges.is_empty() {
        let _ = writeln!(s, "no thread waits at the final state");
    } else {
        let _ = writeln!(s, "the chain of waits at the final state:");
        s.push('\n');
        for (a, label, b) in edges {
            let _ = writeln!(s, "{}", clip(&format!("  {a} {label} {b}")));
        }
    }
    let last = trace.len().checked_sub(1);
    let _ = writeln!(s, "\nthe violating step: {}", at(m, trace, last));
    s
}

/// Every lock held at the final state, per thread, with the step that took it.
fn held_locks(m: &Machine, trace: &Trace, w: &World) -> String {
    let mut s = String::from("locks held at the final state:\n");
    let mut nodes = vec![Node::MmapLock];
    nodes.extend((0..m.vmas().len() as u8).map(|i| Node::Vma(VmaId(i))));
    nodes.extend((0..m.folios().len() as u8).map(|i| Node::Folio(FolioId(i))));
    let mut any = false;
    for t in m.tids() {
        let held: Vec<Node> = nodes.iter().copied().filter(|&n| holds(w, n, t)).collect();
        if held.is_empty() {
            continue;
        }
        any = true;
        let plural = if held.len() == 1 { "" } else { "s" };
        let _ = writeln!(s, "{} lock{plural} held by {}:", held.len(), thread(m, t));
        for (k, n) in held.into_iter().enumerate() {
            let name = held_name(m, w, n, t);
            let _ = writeln!(
                s,
                "{}",
                clip(&format!(
                    " #{k}: {name}, at: {}",
                    at(m, trace, acquired(trace, n, t))
                ))
            );
        }
    }
    if !any {
        s += "none\n";
    }
    s
}

/// `first` then the words, wrapped before 80 columns onto lines that start with
/// `indent`; each wrapped line ends in `cont`.
fn wrap(first: &str, words: &[String], indent: &str, cont: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    for word in words {
        if line.len() + 1 + word.len() + cont.len() > WIDTH && line.len() > indent.len() {
            let _ = writeln!(out, "{line}{cont}");
            line = indent.to_string();
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(out, "{line}");
    out
}

/// Cuts a line to 80 columns, marking the cut with `~`.
fn clip(line: &str) -> String {
    if line.len() <= WIDTH {
        return line.to_string();
    }
    let keep: String = line.chars().take(WIDTH - 1).collect();
    format!("{keep}~")
}
