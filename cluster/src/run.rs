//! The timely computation: on every worker, the search dataflow (a loop whose rounds
//! progress tracking separates), then the walk dataflow; worker 0 of process 0
//! replays the walked paths and writes the report.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::os::fd::AsFd;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use faultline_checker::{
    Budget, CheckError, Engine, EngineLimit, Limit, Property, PropertyResult, Reduce, Report,
    Stats, Status as Overall, Successors, Verdict,
};
use faultline_protocol::Machine;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Capability, ConnectLoop, Feedback};
use timely::worker::Worker;

use crate::config::Cluster;
use crate::error::ClusterError;
use crate::parcel::{Parcel, Status, Totals};
use crate::part::Full;
use crate::search::Level;
use crate::walk::Collected;

/// What one process learns.
#[derive(Debug)]
pub enum Outcome {
    /// Process 0: the report, as `faultline check` gives it.
    Report(Box<Report>),
    /// Any other process: the exit code process 0 gives (its report is process 0's).
    Peer(u8),
}

type Exchanged = CapacityContainerBuilder<Vec<Parcel>>;

fn to_worker() -> Exchange<Parcel, impl FnMut(&Parcel) -> u64 + 'static> {
    Exchange::new(|p: &Parcel| u64::from(p.to))
}

/// Checks `props` on `m` with the cluster's workers; `budget` is the whole search's
/// (each worker gets its share).
pub fn run(
    cluster: &Cluster,
    m: Arc<Machine>,
    props: &[Property],
    reduce: Reduce,
    budget: Budget,
) -> Result<Outcome, ClusterError> {
    let props: Vec<Property> = props.to_vec();
    let peers = (cluster.workers * cluster.processes()) as u64;
    let max_states = budget.max_states.div_ceil(peers);
    let max_bytes = budget.max_bytes / cluster.workers as u64;
    let start = Instant::now();
    // timely prints "awaiting connections" and "error connecting ... retrying" on
    // stdout while the processes connect (before `execute` returns): stdout is the
    // report's, so those lines go to stderr.
    let to_stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| gag::Redirect::stdout(std::fs::File::from(fd)).ok());
    let guards = timely::execute(cluster.config(), move |worker: &mut Worker| {
        let succ = Successors::new(m.clone(), &props, reduce);
        let me = worker.index() as u32;
        let level = Level::new(me, worker.peers(), succ, max_states, max_bytes);
        let level = Rc::new(RefCell::new(level));
        search(worker, &level);
        let done = walk(worker, &level);
        let level = level.borrow();
        let known = &level.known;
        if me != 0 {
            return match exit_code(known, &props) {
                2 => Err(ClusterError::PeerModelError),
                code => Ok(Outcome::Peer(code)),
            };
        }
        let stats = stats(&done.totals, level.successors(), start);
        report(level.successors(), &props, known, done, stats, &budget)
            .map(|r| Outcome::Report(Box::new(r)))
            .map_err(ClusterError::Check)
    })
    .map_err(ClusterError::Start);
    drop(to_stderr);
    let guards = guards?;
    let mut first = None;
    for result in guards.join() {
        let outcome = result.map_err(ClusterError::Worker)??;
        if first.is_none() || matches!(outcome, Outcome::Report(_)) {
            first = Some(outcome);
        }
    }
    first.ok_or_else(|| ClusterError::Worker("no worker ran".into()))
}

/// The search dataflow, run to its end.
fn search(worker: &mut Worker, level: &Rc<RefCell<Level>>) {
    let lv = level.clone();
    worker.dataflow::<u64, _, _>(move |scope| {
        let (handle, stream) = scope.feedback(1u64);
        stream
            .unary_frontier::<Exchanged, _, _, _>(to_worker(), "bfs", move |cap, _| {
                let mut pending: BTreeMap<u64, (Capability<u64>, Vec<Parcel>)> = BTreeMap::new();
                let mut init = Some(cap);
                move |(input, frontier), output| {
                    if let Some(cap) = init.take()
                        && let Some(p) = lv.borrow().initial()
                    {
                        pending.insert(0, (cap, vec![p]));
                    }
                    input.for_each_stamp(|cap, data| {
                        if let Some(cap) = cap.retain_least(output.output_index()) {
                            let t = *cap.time();
                            let slot = pending.entry(t).or_insert_with(|| (cap, Vec::new()));
                            for batch in data {
                                slot.1.append(batch);
                            }
                        }
                    });
                    // A round runs once no worker can send anything more for it.
                    while let Some((&t, _)) = pending.first_key_value() {
                        if frontier.frontier().less_equal(&t) {
                            break;
                        }
                        let Some((_, (cap, got))) = pending.pop_first() else {
                            break;
                        };
                        let (out, later) = lv.borrow_mut().round(t, got);
                        if later {
                            pending
                                .entry(t + 2)
                                .or_insert_with(|| (cap.delayed(&(t + 2)), Vec::new()));
                        }
                        let mut session = output.session(&cap);
                        for p in out {
                            session.give(p);
                        }
                    }
                }
            })
            .connect_loop(handle);
    });
    while worker.step_or_park(None) {}
}

/// The walk dataflow: every hit's path back to the initial state, to worker 0.
fn walk(worker: &mut Worker, level: &Rc<RefCell<Level>>) -> Collected {
    let done = Rc::new(RefCell::new(Collected::default()));
    let (lv, collected) = (level.clone(), done.clone());
    worker.dataflow::<u64, _, _>(move |scope| {
        let (handle, stream) = scope.feedback(1u64);
        stream
            .unary_frontier::<Exchanged, _, _, _>(to_worker(), "walk", move |cap, _| {
                let mut init = Some(cap);
                move |(input, _), output| {
                    if let Some(cap) = init.take() {
                        let mut session = output.session(&cap);
                        for p in lv.borrow().start_walks() {
                            session.give(p);
                        }
                    }
                    input.for_each_stamp(|cap, data| {
                        let Some(cap) = cap.retain_least(output.output_index()) else {
                            return;
                        };
                        let mut session = output.session(&cap);
                        for batch in data {
                            for p in batch.drain(..) {
                                if let Some(next) = lv.borrow().walk(p, &mut collected.borrow_mut())
                                {
                                    session.give(next);
                                }
                            }
                        }
                    });
                }
            })
            .connect_loop(handle);
    });
    while worker.step_or_park(None) {}
    done.take()
}

/// The exit code of process 0, as every process can tell it from what was broadcast:
/// 2 for a model error, else the overall status's.
fn exit_code(known: &Status, props: &[Property]) -> u8 {
    let overall = if known.error.is_some() {
        return 2;
    } else if known.found.iter().any(Option::is_some) {
        Overall::Violated
    } else if known.full.is_some() || props.iter().any(|p| p.is_liveness()) {
        Overall::Inconclusive
    } else {
        Overall::Holds
    };
    overall.exit_code()
}

fn stats(totals: &Totals, succ: &Successors, start: Instant) -> Stats {
    let ran = succ.reductions();
    Stats {
        states: totals.states,
        transitions: totals.transitions,
        depth: totals.depth,
        elapsed: start.elapsed(),
        bytes: totals.bytes,
        executions: 0,
        reductions: ran,
        full_states: None,
    }
}

/// The report, as the native engine writes it: each hit's path replayed.
fn report(
    succ: &Successors,
    props: &[Property],
    known: &Status,
    done: Collected,
    mut stats: Stats,
    budget: &Budget,
) -> Result<Report, CheckError> {
    let path = |slot: usize| {
        done.paths
            .iter()
            .find(|(s, _, _)| *s as usize == slot)
            .map(|(_, codes, end)| (codes.as_slice(), end.as_slice()))
    };
    let safety = succ.safety();
    if let Some(hit) = known.error
        && let Some((codes, _)) = path(safety.len())
    {
        return Err(succ.model_error(codes, hit.code));
    }
    let unexplored = done.totals.unexplored;
    let limit = known.full.map(|f| match f {
        Full::States => Limit::States {
            max: budget.max_states,
            unexplored,
        },
        Full::Memory => Limit::Memory {
            max_bytes: budget.max_bytes,
            unexplored,
        },
        Full::Alloc => Limit::Alloc {
            bytes: done.totals.bytes,
            unexplored,
        },
    });
    let mut results = Vec::with_capacity(props.len());
    for &property in props {
        let verdict = match safety.iter().position(|&p| p == property) {
            None => Verdict::Inconclusive(Limit::Engine(EngineLimit::Partitioned)),
            Some(k) => match (path(k), limit) {
                (Some((codes, end)), _) => {
                    Verdict::Violated(Box::new(succ.counterexample(codes, end, property)?))
                }
                (None, Some(l)) => Verdict::Inconclusive(l),
                (None, None) => Verdict::Holds,
            },
        };
        results.push(PropertyResult { property, verdict });
    }
    let ran = stats.reductions;
    let reduced = ran.por || ran.symmetry.is_some_and(|g| g > 1);
    stats.full_states = (!reduced && limit.is_none()).then_some(stats.states);
    Ok(Report {
        engine: Engine::Native,
        results,
        stats,
    })
}
