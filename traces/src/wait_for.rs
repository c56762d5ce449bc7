//! The wait-for graph at a state: threads, `mmap_lock`, VMA locks, folios and I/O
//! actors as nodes; "waits for", "held by", "read by" and "served by" edges; and the
//! cycle, if there is one.

use faultline_protocol::{
    Backend, FolioId, FolioState, Machine, Mode, Op, Status, Tid, VmaId, WaitOn, World,
};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A node of the wait-for graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    /// A thread.
    Thread(Tid),
    /// `mm->mmap_lock`.
    MmapLock,
    /// A VMA's per-VMA lock.
    Vma(VmaId),
    /// A folio's lock.
    Folio(FolioId),
    /// The actor that completes reads on a backend (disk, or the FUSE server).
    Io(Backend),
}

/// An edge: why the source cannot go on until the target does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Short verb phrase: `waits in mmap_read_lock for`, `is write-held by`.
    pub label: String,
}

/// The wait-for graph of one state, with its first cycle and, when marked, a chain.
#[derive(Clone, Debug)]
pub struct WaitForGraph {
    graph: DiGraph<Node, Edge>,
    names: Vec<String>,
    cycle: Vec<NodeIndex>,
    chain: Vec<NodeIndex>,
    along_cycle: bool,
}

/// A path of waits from a blocked thread (see [`WaitForGraph::chain_from`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// The nodes in order, starting at the thread. For [`ChainEnd::Cycle`] the last
    /// node is the first one met twice.
    pub nodes: Vec<NodeIndex>,
    /// Where it stops.
    pub end: ChainEnd,
}

/// Where a chain of waits stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainEnd {
    /// At an I/O actor: the waits hang on a read completing.
    Io(Backend),
    /// Back at a node already on the chain: the waits never end.
    Cycle,
    /// At a node that waits for nothing (a runnable holder, say).
    Runnable,
}

impl WaitForGraph {
    /// Builds the graph of `w`: every blocked thread and what it transitively waits for.
    pub fn at(m: &Machine, w: &World) -> WaitForGraph {
        Self::union(m, [w])
    }

    /// Every wait met in the states of a lasso's cycle, as one graph: the evidence of
    /// a livelock, whose final state may wait for nothing. Names come from the last
    /// state.
    pub fn along_cycle<'w>(
        m: &Machine,
        cycle: impl IntoIterator<Item = &'w World>,
    ) -> WaitForGraph {
        let mut g = Self::union(m, cycle);
        g.along_cycle = true;
        g
    }

    /// Whether this graph gathers the waits along a lasso's cycle rather than at one
    /// state.
    pub fn is_along_cycle(&self) -> bool {
        self.along_cycle
    }

    fn union<'w>(m: &Machine, worlds: impl IntoIterator<Item = &'w World>) -> WaitForGraph {
        let mut worlds = worlds.into_iter();
        let Some(first) = worlds.next() else {
            return WaitForGraph {
                graph: DiGraph::new(),
                names: Vec::new(),
                cycle: Vec::new(),
                chain: Vec::new(),
                along_cycle: false,
            };
        };
        let mut b = Builder {
            m,
            w: first,
            graph: DiGraph::new(),
            index: BTreeMap::new(),
            expanded: BTreeSet::new(),
        };
        for w in std::iter::once(first).chain(worlds) {
            b.w = w;
            b.expanded.clear();
            for t in m.tids() {
                if let Some(on) = m.blocked_on(w, t) {
                    b.expanded.insert(Node::Thread(t));
                    b.blocked(t, on);
                }
            }
        }
        let cycle = first_cycle(&b.graph);
        let names = b
            .graph
            .node_weights()
            .map(|n| node_name(m, b.w, *n))
            .collect();
        WaitForGraph {
            graph: b.graph,
            names,
            cycle,
            chain: Vec::new(),
            along_cycle: false,
        }
    }

    /// The chain of waits out of thread `t`, following "waits for" and "held by" edges:
    /// the shortest path to an I/O actor if there is one (for latency: a writer
    /// blocked through waits on an I/O wait), else the walk along the lowest-ordered
    /// edges until a node repeats or nothing is waited for. `None` if `t` is not
    /// blocked here.
    pub fn chain_from(&self, t: Tid) -> Option<Chain> {
        let g = &self.graph;
        let start = g.node_indices().find(|&n| g[n] == Node::Thread(t))?;
        let sorted = |a: NodeIndex| {
            let mut v: Vec<NodeIndex> = g.neighbors(a).collect();
            v.sort_by_key(|&b| (g[b], b));
            v
        };
        // Breadth-first to the nearest I/O actor.
        let mut prev: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        while let Some(a) = queue.pop_front() {
            if let Node::Io(backend) = g[a] {
                let mut nodes = vec![a];
                let mut at = a;
                while let Some(&p) = prev.get(&at) {
                    nodes.push(p);
                    at = p;
                }
                nodes.reverse();
                return Some(Chain {
                    nodes,
                    end: ChainEnd::Io(backend),
                });
            }
            for b in sorted(a) {
                if b != start && !prev.contains_key(&b) {
                    prev.insert(b, a);
                    queue.push_back(b);
                }
            }
        }
        let mut nodes = vec![start];
        loop {
            let Some(&next) = sorted(nodes[nodes.len() - 1]).first() else {
                return Some(Chain {
                    nodes,
                    end: ChainEnd::Runnable,
                });
            };
            let seen = nodes.contains(&next);
            nodes.push(next);
            if seen {
                return Some(Chain {
                    nodes,
                    end: ChainEnd::Cycle,
                });
            }
        }
    }

    /// Marks `chain` to be drawn in red (DOT) and listed (text) besides the cycle.
    pub fn mark_chain(&mut self, chain: &Chain) {
        self.chain = chain.nodes.clone();
    }

    /// The marked chain's nodes; empty if none is marked.
    pub fn chain(&self) -> &[NodeIndex] {
        &self.chain
    }

    /// Whether the edge `a -> b` is on the marked chain.
    pub fn on_chain(&self, a: NodeIndex, b: NodeIndex) -> bool {
        self.chain.windows(2).any(|w| w[0] == a && w[1] == b)
    }

    /// The marked chain's edges as `(from, label, to)` names, in order.
    pub fn chain_edges(&self) -> Vec<(&str, &str, &str)> {
        self.chain
            .windows(2)
            .filter_map(|w| {
                let e = self.graph.find_edge(w[0], w[1])?;
                Some((
                    self.name(w[0]),
                    self.graph[e].label.as_str(),
                    self.name(w[1]),
                ))
            })
            .collect()
    }

    /// The petgraph graph.
    pub fn graph(&self) -> &DiGraph<Node, Edge> {
        &self.graph
    }
    /// Display name of a node: `T0 fault`, `mmap_lock`, `VMA F`, `folio f`, `FUSE I/O`.
    pub fn name(&self, n: NodeIndex) -> &str {
        &self.names[n.index()]
    }
    /// The nodes of the first cycle, starting at its lowest thread; empty if acyclic.
    pub fn cycle(&self) -> &[NodeIndex] {
        &self.cycle
    }
    /// Whether the edge `a -> b` is on the cycle.
    pub fn on_cycle(&self, a: NodeIndex, b: NodeIndex) -> bool {
        let n = self.cycle.len();
        (0..n).any(|i| self.cycle[i] == a && self.cycle[(i + 1) % n] == b)
    }
    /// The cycle's edges as `(from, label, to)` names, in order.
    pub fn cycle_edges(&self) -> Vec<(&str, &str, &str)> {
        let n = self.cycle.len();
        (0..n)
            .filter_map(|i| {
                let (a, b) = (self.cycle[i], self.cycle[(i + 1) % n]);
                let e = self.graph.find_edge(a, b)?;
                Some((self.name(a), self.graph[e].label.as_str(), self.name(b)))
            })
            .collect()
    }
    /// A stable identifier for DOT: `t0`, `mmap_lock`, `vma1`, `folio0`, `io_fuse`.
    pub fn id(&self, n: NodeIndex) -> String {
        match self.graph[n] {
            Node::Thread(t) => format!("t{}", t.0),
            Node::MmapLock => "mmap_lock".into(),
            Node::Vma(v) => format!("vma{}", v.0),
            Node::Folio(f) => format!("folio{}", f.0),
            Node::Io(Backend::Disk) => "io_disk".into(),
            Node::Io(Backend::Fuse) => "io_fuse".into(),
            Node::Io(Backend::Uffd) => "io_uffd".into(),
        }
    }

    /// Every edge as `(from, label, to)` names, in insertion order.
    pub fn edges(&self) -> Vec<(&str, &str, &str)> {
        self.graph
            .edge_references()
            .map(|e| {
                (
                    self.name(e.source()),
                    e.weight().label.as_str(),
                    self.name(e.target()),
                )
            })
            .collect()
    }
}

struct Builder<'a> {
    m: &'a Machine,
    w: &'a World,
    graph: DiGraph<Node, Edge>,
    index: BTreeMap<Node, NodeIndex>,
    /// Nodes whose waits in the current world are in the graph.
    expanded: BTreeSet<Node>,
}

impl Builder<'_> {
    fn node(&mut self, n: Node) -> (NodeIndex, bool) {
        if let Some(&i) = self.index.get(&n) {
            return (i, false);
        }
        let i = self.graph.add_node(n);
        self.index.insert(n, i);
        (i, true)
    }

    fn edge(&mut self, a: Node, b: Node, label: String) {
        let (ia, _) = self.node(a);
        let (ib, _) = self.node(b);
        if self.graph.find_edge(ia, ib).is_none() {
            self.graph.add_edge(ia, ib, Edge { label });
        }
        if self.expanded.insert(b) {
            self.expand(b);
        }
    }

    /// Thread `t` sleeps on `on`: its precise reasons.
    fn blocked(&mut self, t: Tid, on: WaitOn) {
        let me = Node::Thread(t);
        self.node(me);
        match on {
            WaitOn::MmapLock(mode) => {
                let l = &self.w.mmap;
                let verb = if mode == Mode::Read {
                    "mmap_read_lock"
                } else {
                    "mmap_write_lock"
                };
                // Held in a conflicting mode: wait for the holders.
                let conflict =
                    l.writer().is_some() || (mode == Mode::Write && !l.readers().is_empty());
                if conflict {
                    self.edge(me, Node::MmapLock, format!("waits in {verb} for"));
                }
                // Queued behind: rwsem FIFO keeps a reader behind queued writers and a
                // writer behind everyone queued ahead of it.
                let ahead: Vec<(Tid, Mode)> = l.queue().take_while(|(w, _)| *w != t).collect();
                for (w, wmode) in ahead {
                    if mode == Mode::Write || wmode == Mode::Write {
                        self.edge(me, Node::Thread(w), format!("is queued in {verb} behind"));
                    }
                }
            }
            WaitOn::VmaReaders(v) => {
                self.edge(
                    me,
                    Node::Vma(v),
                    "waits in vma_start_write for readers of".into(),
                );
            }
            WaitOn::Folio(f) => {
                // folio_lock, or the op's own wait (writeback, invalidation)
                let verb = match self.m.next_instr(self.w, t).map(|i| i.op) {
                    Some(
                        op @ (Op::FuseWaitWriteback { .. }
                        | Op::FolioWaitWriteback { .. }
                        | Op::FuseRequestWait { .. }
                        | Op::InvalidateFolio { .. }),
                    ) => op.kernel_name(),
                    _ => "folio_lock",
                };
                self.edge(me, Node::Folio(f), format!("waits in {verb} for"));
            }
        }
    }

    /// Who a resource node is waiting on.
    fn expand(&mut self, n: Node) {
        match n {
            Node::Thread(t) => {
                if let Some(on) = self.m.blocked_on(self.w, t) {
                    self.blocked(t, on);
                }
            }
            Node::MmapLock => {
                if let Some(wr) = self.w.mmap.writer() {
                    self.edge(n, Node::Thread(wr), "is write-held by".into());
                }
                for r in self.w.mmap.readers().iter() {
                    self.edge(n, Node::Thread(r), "is read-held by".into());
                }
            }
            Node::Vma(v) => {
                for r in self.w.vma(v).readers.iter() {
                    self.edge(n, Node::Thread(r), "is read-held by".into());
                }
            }
            Node::Folio(f) => match self.w.folio(f).state {
                FolioState::Locked(t) => self.edge(n, Node::Thread(t), "is locked by".into()),
                FolioState::ReadIo { backend, .. } => {
                    let verb = if self.m.under_writeback(self.w, f) {
                        "is under writeback by"
                    } else {
                        "is being read by"
                    };
                    self.edge(n, Node::Io(backend), verb.into())
                }
                FolioState::Absent | FolioState::Uptodate => {}
            },
            Node::Io(backend @ (Backend::Fuse | Backend::Uffd)) => {
                let reads = if backend == Backend::Fuse {
                    Op::FuseDevRead
                } else {
                    Op::UffdRead
                };
                for t in self.m.tids() {
                    let serves = self.m.threads()[t.index()]
                        .program
                        .ops()
                        .any(|op| op == reads);
                    if serves {
                        self.edge(n, Node::Thread(t), "is served by".into());
                    }
                }
            }
            Node::Io(Backend::Disk) => {} // the disk always completes
        }
    }
}

fn node_name(m: &Machine, w: &World, n: Node) -> String {
    match n {
        // A holder that has exited leaked its lock: say so.
        Node::Thread(t) if m.status(w, t) == Status::Exited => {
            format!("{} (exited)", m.thread_label(t))
        }
        Node::Thread(t) => m.thread_label(t),
        Node::MmapLock => "mmap_lock".into(),
        Node::Vma(v) => format!("VMA {}", m.vma_name(v)),
        Node::Folio(f) => format!("folio {}", m.folio_name(f)),
        Node::Io(b) => format!("{} I/O", b.name()),
    }
}

/// The shortest cycle through the lowest-numbered thread of the first strongly
/// connected component that has one (`kosaraju_scc`: iterative, no stack overflow).
fn first_cycle(g: &DiGraph<Node, Edge>) -> Vec<NodeIndex> {
    let mut best: Option<Vec<NodeIndex>> = None;
    for scc in kosaraju_scc(g) {
        let cyclic = scc.len() > 1 || g.find_edge(scc[0], scc[0]).is_some();
        if !cyclic {
            continue;
        }
        let Some(&start) = scc.iter().min_by_key(|&&i| (g[i], i)) else {
            continue;
        };
        let cycle = shortest_cycle(g, start, &scc);
        if best.as_ref().is_none_or(|b| g[cycle[0]] < g[b[0]]) {
            best = Some(cycle);
        }
    }
    best.unwrap_or_default()
}

/// Breadth-first search from `start` back to itself inside `scc`.
fn shortest_cycle(g: &DiGraph<Node, Edge>, start: NodeIndex, scc: &[NodeIndex]) -> Vec<NodeIndex> {
    let mut prev: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(a) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = g.neighbors(a).filter(|b| scc.contains(b)).collect();
        next.sort_by_key(|&b| (g[b], b));
        for b in next {
            if b == start {
                let mut path = vec![a];
                let mut at = a;
                while let Some(&p) = prev.get(&at) {
                    path.push(p);
                    at = p;
                }
                path.reverse();
                return path;
            }
            if !prev.contains_key(&b) && b != start {
                prev.insert(b, a);
                queue.push_back(b);
            }
        }
    }
    vec![start]
}
