//! The native search: breadth-first over the explicit state graph, with its
//! reductions behind [`Reducer`]. It produces the stored states, their parent links
//! and (when asked) the edges; it reports, per watched predicate, the first state in
//! breadth-first order where it holds. It knows nothing of properties.
//!
//! Successors are computed in batches on `threads` threads, which also look them up
//! in the visited set (read-only: it only grows while they run); the successors not
//! found there are numbered in state order on one thread, so the state numbering, the
//! counts and every parent link are the same for any thread count; then the threads
//! place the batch's new states in the visited set's hash table, each in its own
//! shards ([`Store::flush_parts`]).

use std::time::Instant;

use faultline_protocol::{Machine, ModelError, Step, World};

use crate::budget::Budget;
use crate::error::CheckError;
use crate::reduce::{Reducer, rename_step};
use crate::store::{Full, Hashes, Insert, Lookup, StateIdx, Store};
use crate::verdict::Limit;

/// A transition of the state graph: from, to, step code.
pub(crate) type Edge = (StateIdx, StateIdx, u16);

/// Bitmask of the watched predicates a state satisfies.
pub(crate) type Watch<'a> = &'a (dyn Fn(&World, &[Step]) -> u64 + Sync);

/// What a search found.
#[derive(Debug)]
pub(crate) struct Graph {
    /// The stored states (representatives under symmetry) and parent links.
    pub store: Store,
    /// Every explored transition, when asked for and within its memory share.
    pub edges: Option<Vec<Edge>>,
    /// Transitions explored.
    pub transitions: u64,
    /// Deepest level expanded.
    pub depth: u32,
    /// Why it stopped early, and how many stored states were never expanded.
    pub full: Option<(Full, u64)>,
    /// Per watched predicate, the first state (BFS order) satisfying it.
    pub found: Vec<Option<StateIdx>>,
}

impl Graph {
    /// The budget that stopped the search, if one did, as a verdict's limit.
    pub(crate) fn limit(&self, budget: &Budget) -> Option<Limit> {
        self.full.map(|(f, unexplored)| match f {
            Full::States => Limit::States {
                max: budget.max_states,
                unexplored,
            },
            Full::Memory => Limit::Memory {
                max_bytes: budget.max_bytes,
                unexplored,
            },
            Full::Alloc => Limit::Alloc {
                bytes: self.store.bytes() as u64,
                unexplored,
            },
        })
    }
}

/// One search's settings.
pub(crate) struct Search<'a> {
    pub m: &'a Machine,
    pub reducer: &'a Reducer,
    pub budget: Budget,
    /// Collect edges (liveness), up to this many bytes.
    pub edges: Option<u64>,
    /// Worker threads for successor generation.
    pub threads: usize,
}

/// A failing step: the state it left from and the step.
struct StepError {
    pub from: StateIdx,
    pub step: Step,
    pub error: ModelError,
}

/// Successors of a batch of states, computed off the main thread.
#[derive(Default)]
struct Batch {
    /// Per state: watched mask, first successor, persistent-set successors, all
    /// enabled, whether the cycle proviso applies.
    states: Vec<(u64, usize, usize, usize, bool)>,
    /// Per successor: the hashes of its halves.
    hashes: Vec<Hashes>,
    /// Per successor: its step code.
    codes: Vec<u16>,
    /// Per successor: what the store held of it when the batch was expanded.
    found: Vec<Lookup>,
    /// Packed successors, `stride` bytes each.
    bytes: Vec<u8>,
    error: Option<StepError>,
}

/// States per worker per batch.
const CHUNK: usize = 2048;

/// Fewest new states worth placing on more than one thread.
const FLUSH_ALONE: usize = 1024;

impl Search<'_> {
    /// Runs the search; `watched` predicates, stopping early once all are found when
    /// `stop_when_found`.
    pub(crate) fn run(
        &self,
        watch: Watch,
        watched: usize,
        stop_when_found: bool,
        progress: &mut dyn FnMut(u64, u64, u32, u64),
    ) -> Result<Graph, CheckError> {
        let start = Instant::now();
        let mut last_report = start;
        let m = self.m;
        let shape = *m.shape();
        let stride = shape.packed_len();
        let template = m.initial();
        let mut store = Store::new(stride);
        let mut buf = Vec::with_capacity(stride);
        let (init, _) = self.reducer.canonical(m, &template);
        init.pack(&shape, &mut buf);
        let limits = (self.budget.max_states.max(1), self.budget.max_bytes);
        store.insert(&buf, None, 0, (1, u64::MAX));
        store.flush();

        let mut found: Vec<Option<StateIdx>> = vec![None; watched];
        let all = if watched == 64 {
            u64::MAX
        } else {
            (1u64 << watched) - 1
        };
        let mut found_mask = 0u64;
        let mut edges: Option<Vec<Edge>> = self.edges.map(|_| Vec::new());
        let edge_max = self.edges.unwrap_or(0);
        let mut transitions = 0u64;
        let mut depth = 0u32;
        let mut level_end = 1usize;
        let mut cursor = 0usize;
        let mut full = None;
        let workers = self.threads.max(1);
        let mut batches: Vec<Batch> = (0..workers).map(|_| Batch::default()).collect();
        let mut enabled = Vec::new();
        'bfs: while cursor < store.len() {
            // The stored states not yet expanded, split among the workers.
            let avail = store.len() - cursor;
            let per = if workers > 1 && avail >= 2 * 256 {
                avail.div_ceil(workers).min(CHUNK)
            } else {
                avail.min(CHUNK)
            };
            let spans: Vec<(usize, usize)> = (0..workers)
                .map(|k| {
                    let a = (cursor + k * per).min(cursor + avail);
                    (a, (a + per).min(cursor + avail))
                })
                .filter(|(a, b)| a < b)
                .collect();
            if spans.len() > 1 {
                let store_ref = &store;
                let template = &template;
                // A span whose thread the system refuses (RLIMIT_NPROC, no memory for
                // a stack) is expanded here afterwards: the same batch, one core fewer.
                // Each started worker is joined, never detached: glibc's pthread_detach
                // of a thread that is exiting can read its freed stack (a SIGSEGV the
                // command-line fuzzer hit once with --threads 65535).
                let refused: Vec<usize> = std::thread::scope(|s| {
                    let mut refused = Vec::new();
                    let mut started = Vec::new();
                    for (k, (batch, &(a, b))) in batches.iter_mut().zip(&spans).enumerate() {
                        let job = move || self.expand(store_ref, a, b, watch, template, batch);
                        match spawn_scoped(s, job) {
                            Ok(h) => started.push(h),
                            Err(_) => refused.push(k),
                        }
                    }
                    for h in started {
                        if let Err(panic) = h.join() {
                            std::panic::resume_unwind(panic);
                        }
                    }
                    refused
                });
                for k in refused {
                    let (a, b) = spans[k];
                    self.expand(&store, a, b, watch, template, &mut batches[k]);
                }
            } else {
                self.expand(
                    &store,
                    spans[0].0,
                    spans[0].1,
                    watch,
                    &template,
                    &mut batches[0],
                );
            }
            for (batch, &(a, _)) in batches.iter_mut().zip(&spans) {
                if let Some(e) = batch.error.take() {
                    return Err(self.model_error(&store, e));
                }
                for (k, &(mask, first, ample, total, proviso)) in batch.states.iter().enumerate() {
                    let idx = a + k;
                    debug_assert_eq!(idx, cursor);
                    if cursor == level_end {
                        depth += 1;
                        level_end = store.len();
                    }
                    let new = mask & !found_mask;
                    if new != 0 {
                        for (j, f) in found.iter_mut().enumerate() {
                            if new & 1 << j != 0 {
                                *f = Some(idx as StateIdx);
                            }
                        }
                        found_mask |= new;
                    }
                    if stop_when_found && found_mask == all {
                        break 'bfs;
                    }
                    let mut shallow = false;
                    for i in first..first + ample {
                        let code = batch.codes[i];
                        let bytes = &batch.bytes[i * stride..(i + 1) * stride];
                        // Found by the workers: the store only grows, so it is still
                        // there under the same index.
                        let inserted = match batch.found[i] {
                            Lookup::Stored(to) => Insert::Old(to),
                            Lookup::Halves(known) => store.insert_unseen(
                                bytes,
                                batch.hashes[i],
                                known,
                                Some(idx as StateIdx),
                                code,
                                limits,
                            ),
                        };
                        match inserted {
                            Insert::Full(f) => {
                                full = Some(f);
                                break 'bfs;
                            }
                            Insert::New(to) => push_edge(&mut edges, edge_max, idx, to, code),
                            Insert::Old(to) => {
                                shallow |= (to as usize) < level_end;
                                push_edge(&mut edges, edge_max, idx, to, code);
                            }
                        }
                        transitions += 1;
                    }
                    if ample < total && proviso && shallow {
                        // Cycle proviso: expand the rest here.
                        let w = World::unpack(&shape, &store.get(idx as StateIdx), &template);
                        m.enabled(&w, &mut enabled);
                        self.reducer.ample(m, &w, &mut enabled);
                        for &step in &enabled[ample..] {
                            buf.clear();
                            if let Err(error) = successor(self.reducer, m, &w, step, &mut buf) {
                                let from = idx as StateIdx;
                                return Err(
                                    self.model_error(&store, StepError { from, step, error })
                                );
                            }
                            let code = step.encode();
                            match store.insert(&buf, Some(idx as StateIdx), code, limits) {
                                Insert::Full(f) => {
                                    full = Some(f);
                                    break 'bfs;
                                }
                                Insert::New(to) | Insert::Old(to) => {
                                    push_edge(&mut edges, edge_max, idx, to, code)
                                }
                            }
                            transitions += 1;
                        }
                    }
                    cursor += 1;
                }
            }
            place(&mut store, workers);
            if last_report.elapsed().as_secs() >= 1 {
                last_report = Instant::now();
                progress(store.len() as u64, transitions, depth, store.bytes() as u64);
            }
        }
        place(&mut store, workers);
        let full = full.map(|f| {
            // Stored states never expanded are still watched: a predicate holding there
            // is found (at minimal depth: every shallower state was expanded).
            for i in cursor + 1..store.len() {
                let w = World::unpack(&shape, &store.get(i as StateIdx), &template);
                m.enabled(&w, &mut enabled);
                let new = watch(&w, &enabled) & !found_mask;
                for (j, slot) in found.iter_mut().enumerate() {
                    if new & 1 << j != 0 {
                        *slot = Some(i as StateIdx);
                    }
                }
                found_mask |= new;
            }
            (f, (store.len() - cursor) as u64)
        });
        Ok(Graph {
            store,
            edges,
            transitions,
            depth,
            full,
            found,
        })
    }

    /// The model error with the concrete steps that reach it.
    fn model_error(&self, store: &Store, e: StepError) -> CheckError {
        let mut steps = concrete_path(self.m, self.reducer, store, e.from);
        let mut w = self.m.initial();
        for &s in &steps {
            match self.m.apply(&w, s) {
                Ok(n) => w = n,
                Err(_) => break,
            }
        }
        let (_, r) = self.reducer.canonical(self.m, &w);
        steps.push(rename_step(e.step, &r.inverse()));
        CheckError::Model {
            error: e.error,
            token: steps
                .iter()
                .map(Step::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// Watches and expands stored states `a..b` into `out` (persistent sets only).
    fn expand(
        &self,
        store: &Store,
        a: usize,
        b: usize,
        watch: Watch,
        template: &World,
        out: &mut Batch,
    ) {
        let m = self.m;
        let shape = *m.shape();
        out.states.clear();
        out.hashes.clear();
        out.codes.clear();
        out.bytes.clear();
        out.error = None;
        let mut enabled = Vec::new();
        for idx in a..b {
            let w = World::unpack(&shape, &store.get(idx as StateIdx), template);
            m.enabled(&w, &mut enabled);
            let mask = watch(&w, &enabled);
            let ample = self.reducer.ample(m, &w, &mut enabled);
            let first = out.codes.len();
            for &step in &enabled[..ample.len] {
                let at = out.bytes.len();
                if let Err(error) = successor(self.reducer, m, &w, step, &mut out.bytes) {
                    out.error = Some(StepError {
                        from: idx as StateIdx,
                        step,
                        error,
                    });
                    return;
                }
                out.hashes.push(store.hashes(&out.bytes[at..]));
                out.codes.push(step.encode());
            }
            out.states
                .push((mask, first, ample.len, enabled.len(), ample.proviso));
        }
        store.find_batch(&out.bytes, &out.hashes, &mut out.found);
    }
}

/// Places the states numbered since the last flush, on up to `workers` threads.
fn place(store: &mut Store, workers: usize) {
    if workers < 2 || store.queued() < FLUSH_ALONE {
        store.flush();
        return;
    }
    // Each thread, this one too, takes parts until none is left: a thread the system
    // refuses only leaves more for the others.
    let parts = std::sync::Mutex::new(store.flush_parts(workers));
    let work = || {
        while let Some(part) = parts.lock().map_or(None, |mut p| p.pop()) {
            part.run();
        }
    };
    std::thread::scope(|s| {
        let started: Vec<_> = (1..workers)
            .filter_map(|_| spawn_scoped(s, work).ok())
            .collect();
        work();
        for h in started {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    store.flushed();
}

/// Starts `job` on a thread of scope `s`, or says why the system refused one.
fn spawn_scoped<'scope, 'env, F>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    job: F,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, ()>>
where
    F: FnOnce() + Send + 'scope,
{
    #[cfg(test)]
    if tests::REFUSE_SPAWN.with(std::cell::Cell::get) {
        return Err(std::io::Error::other("spawn refused by the test"));
    }
    std::thread::Builder::new().spawn_scoped(s, job)
}

/// Appends the packed representative of `step`'s successor of `w`.
fn successor(
    reducer: &Reducer,
    m: &Machine,
    w: &World,
    step: Step,
    out: &mut Vec<u8>,
) -> Result<(), ModelError> {
    let next = m.apply(w, step)?;
    reducer.pack_representative(m, &next, out);
    Ok(())
}

fn push_edge(edges: &mut Option<Vec<Edge>>, max_bytes: u64, from: usize, to: StateIdx, code: u16) {
    if let Some(list) = edges {
        // Edges plus the graph built from them cost about 40 bytes each.
        if (list.len() as u64 + 1) * 40 > max_bytes || list.try_reserve(1).is_err() {
            *edges = None;
        } else {
            list.push((from as StateIdx, to, code));
        }
    }
}

/// The concrete steps from `m`'s initial state to stored state `idx`: stored steps
/// leave representatives, so each is renamed back onto the concrete state reached.
pub(crate) fn concrete_path(
    m: &Machine,
    reducer: &Reducer,
    store: &Store,
    idx: StateIdx,
) -> Vec<Step> {
    let codes = store.path(idx);
    if !reducer.symmetric() {
        return codes.into_iter().map(Step::decode).collect();
    }
    let mut w = m.initial();
    let mut steps = Vec::with_capacity(codes.len());
    for code in codes {
        let (_, r) = reducer.canonical(m, &w);
        let step = rename_step(Step::decode(code), &r.inverse());
        steps.push(step);
        match m.apply(&w, step) {
            Ok(n) => w = n,
            Err(_) => break, // the caller's replay reports the mismatch
        }
    }
    steps
}

/// `w`'s packed representative, for comparing a replayed state with a stored one.
pub(crate) fn packed_representative(m: &Machine, reducer: &Reducer, w: &World) -> Vec<u8> {
    let mut out = Vec::new();
    reducer.canonical(m, w).0.pack(m.shape(), &mut out);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use crate::{Budget, Engine, Options, Property, Reduce, Verdict, run};

    thread_local! {
        /// Makes every worker-thread spawn on this thread fail, as RLIMIT_NPROC would.
        pub(crate) static REFUSE_SPAWN: Cell<bool> = const { Cell::new(false) };
    }

    #[test]
    fn a_memory_budget_stops_every_thread_count_at_the_same_state() {
        // New states are numbered on one thread and placed by all: the budget check
        // sees the same store, state for state, whatever the thread count.
        let m =
            faultline_models::build("upstream", "many-faults", &[("faults".into(), "3".into())])
                .expect("catalog case builds")
                .machine;
        let go = |threads| {
            let o = Options {
                reduce: Reduce::None,
                threads,
                budget: Budget {
                    max_states: u64::MAX,
                    max_bytes: 3 << 20,
                },
                ..Options::default()
            };
            let r = run(Engine::Native, &m, &[Property::Deadlock], &o).expect("runs");
            let limit = match &r.results[0].verdict {
                Verdict::Inconclusive(l) => format!("{l:?}"),
                v => panic!("{threads} threads: {v:?}, not stopped by the budget"),
            };
            (r.stats.states, r.stats.transitions, limit)
        };
        let one = go(1);
        assert!(
            one.0 > 10_000,
            "{one:?}: stopped too early to use two workers"
        );
        assert!(one.2.contains("Memory"), "{one:?}");
        assert_eq!(go(2), one);
        assert_eq!(go(4), one);
    }

    #[test]
    fn a_refused_worker_thread_is_expanded_on_the_search_thread_not_a_panic() {
        let m = faultline_models::build("hold-io", "many-faults", &[("faults".into(), "3".into())])
            .expect("catalog case builds")
            .machine;
        let go = |threads, refuse| {
            REFUSE_SPAWN.with(|r| r.set(refuse));
            let o = Options {
                reduce: Reduce::None,
                threads,
                ..Options::default()
            };
            let r = run(Engine::Native, &m, Property::ALL, &o).expect("runs");
            REFUSE_SPAWN.with(|r| r.set(false));
            let steps: Vec<Vec<String>> = r
                .results
                .iter()
                .map(|p| match &p.verdict {
                    Verdict::Violated(cx) => cx.trace.steps().map(|s| s.to_string()).collect(),
                    v => vec![v.status().to_string()],
                })
                .collect();
            (r.stats.states, r.stats.transitions, steps)
        };
        let one = go(1, false);
        assert!(one.0 > 10_000, "{} states: too few for two workers", one.0);
        assert!(
            one.2.iter().any(|s| s.len() > 1),
            "no counterexample: {:?}",
            one.2
        );
        assert_eq!(go(4, true), one);
    }
}
