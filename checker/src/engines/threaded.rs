//! loom and shuttle over the shared runner: the run, the progress watch, and verdicts
//! whose counterexamples are replayed on the native semantics.

use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use faultline_protocol::Machine;
use faultline_traces::Trace;

use crate::engines::choices::Oracle;
use crate::engines::runner::{self, Ctx, Found};
use crate::engines::{Engine, Options};
use crate::error::CheckError;
use crate::limit::EngineLimit;
use crate::property::Property;
use crate::verdict::{Counterexample, Limit, PropertyResult, Report, Stats, Verdict};

/// loom or shuttle (`engine_run`) over the shared runner, then the verdicts.
pub(super) fn threaded(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    opts: &Options,
    progress: &mut dyn FnMut(&Stats),
    engine_run: impl FnOnce(&Arc<Ctx>) -> Result<Option<EngineLimit>, CheckError> + Send,
) -> Result<Report, CheckError> {
    let start = Instant::now();
    // Per-state properties run inside the executions; liveness needs the state graph.
    let checked: Vec<bool> = props.iter().map(|&p| per_state(p)).collect();
    let ctx = Arc::new(Ctx::new(m, props, checked, Oracle::default(), opts.seed));
    let limit = if ctx_has_work(props) {
        watched(&ctx, start, progress, || engine_run(&ctx))?
    } else {
        None
    };
    report(engine, m, props, &ctx, limit, start)
}

/// Whether `p` is decided state by state (so loom and shuttle can check it). Liveness
/// needs cycles in the state graph under fairness, which neither engine has.
fn per_state(p: Property) -> bool {
    !p.is_liveness()
}

fn ctx_has_work(props: &[Property]) -> bool {
    props.iter().any(|&p| per_state(p))
}

/// Runs `engine_run` on a worker thread and reports the log's counts to `progress`
/// each second until it ends; a run shorter than that costs one thread spawn.
fn watched<T: Send>(
    ctx: &Ctx,
    start: Instant,
    progress: &mut dyn FnMut(&Stats),
    engine_run: impl FnOnce() -> T + Send,
) -> T {
    std::thread::scope(|s| {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let worker = s.spawn(move || {
            let out = engine_run();
            let _ = done.send(());
            out
        });
        while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(Duration::from_secs(1)) {
            let stats = ctx.log().stats(start);
            progress(&stats);
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn report(
    engine: Engine,
    m: &Machine,
    props: &[Property],
    ctx: &Ctx,
    limit: Option<EngineLimit>,
    start: Instant,
) -> Result<Report, CheckError> {
    let log = ctx.log();
    if let Some(e) = &log.error {
        return Err(e.clone());
    }
    let mut results = Vec::with_capacity(props.len());
    for (k, &property) in props.iter().enumerate() {
        let verdict = if !per_state(property) {
            Verdict::Inconclusive(Limit::Engine(EngineLimit::Liveness {
                engine: engine.id(),
            }))
        } else if let Some(found) = &log.found[k] {
            Verdict::Violated(Box::new(counterexample(engine, m, property, found)?))
        } else if let Some(l) = limit {
            Verdict::Inconclusive(Limit::Engine(l))
        } else {
            Verdict::Holds
        };
        results.push(PropertyResult { property, verdict });
    }
    Ok(Report {
        engine,
        results,
        stats: log.stats(start),
    })
}

/// Replays an engine's violating execution on the native semantics, which must agree.
fn counterexample(
    engine: Engine,
    m: &Machine,
    p: Property,
    found: &Found,
) -> Result<Counterexample, CheckError> {
    let mismatch = || CheckError::EngineMismatch {
        engine: engine.id(),
        property: p.id(),
        token: runner::token(&found.steps),
    };
    let trace = Trace::replay(m, &found.steps).map_err(|_| mismatch())?;
    let mut enabled = Vec::new();
    m.enabled(trace.last(), &mut enabled);
    if !p.violated_at(m, trace.last(), &enabled) {
        return Err(mismatch());
    }
    let mut cx = Counterexample::at_end(m, trace, p);
    cx.schedule = found.schedule.clone();
    Ok(cx)
}
