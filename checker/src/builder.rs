//! [`Checker`]: the one way to start a check (stateright's
//! `model.checker().threads(n).spawn_bfs()`): engine, properties, reductions, threads,
//! budget and progress, then [`Checker::run`]. [`crate::run`] and [`crate::explore`]
//! are one-line wrappers of it.

use std::fmt;

use faultline_protocol::Machine;

use crate::budget::Budget;
use crate::engines::{self, Engine, Options};
use crate::error::CheckError;
use crate::property::Property;
use crate::reduce::Reduce;
use crate::verdict::{Report, Stats};

/// A check of one machine being configured; [`Checker::run`] runs it.
///
/// ```no_run
/// # fn f(m: &faultline_protocol::Machine) -> Result<(), faultline_checker::CheckError> {
/// use faultline_checker::{Checker, Engine, Property};
/// let report = Checker::new(m)
///     .properties(&[Property::Deadlock])
///     .engine(Engine::Native)
///     .threads(2)
///     .run()?;
/// # let _ = report; Ok(()) }
/// ```
pub struct Checker<'a> {
    machine: &'a Machine,
    properties: &'a [Property],
    engine: Engine,
    /// Unset: the machine's ([`Options::machine`]), detected once at `run`.
    budget: Option<Budget>,
    /// Unset: the cores, capped by the address space ([`Options::machine`]).
    threads: Option<usize>,
    reduce: Reduce,
    max_executions: u64,
    seed: u64,
    progress: Option<&'a mut dyn FnMut(&Stats)>,
}

impl fmt::Debug for Checker<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checker")
            .field("properties", &self.properties)
            .field("engine", &self.engine)
            .field("budget", &self.budget)
            .field("threads", &self.threads)
            .field("reduce", &self.reduce)
            .field("max_executions", &self.max_executions)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl<'a> Checker<'a> {
    /// A check of `m`: the native engine, every reduction, no property yet, the
    /// machine's budget and cores.
    pub fn new(m: &'a Machine) -> Checker<'a> {
        Checker {
            machine: m,
            properties: &[],
            engine: Engine::Native,
            budget: None,
            threads: None,
            reduce: Reduce::default(),
            max_executions: Options::DEFAULT_MAX_EXECUTIONS,
            seed: Options::DEFAULT_SEED,
            progress: None,
        }
    }

    /// The properties to check.
    pub fn properties(mut self, props: &'a [Property]) -> Self {
        self.properties = props;
        self
    }

    /// The engine.
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// Every setting of `opts` (budget, threads, reductions, execution cap, seed), as
    /// [`Options::machine`] or a command line made them.
    pub fn options(mut self, opts: &Options) -> Self {
        self.budget = Some(opts.budget);
        self.threads = Some(opts.threads);
        self.reduce = opts.reduce;
        self.max_executions = opts.max_executions;
        self.seed = opts.seed;
        self
    }

    /// The native explorer's state and memory budget.
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Threads the native engine computes successors on (results do not depend on it).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Reductions the native engine may use (when sound for the properties).
    pub fn reduce(mut self, reduce: Reduce) -> Self {
        self.reduce = reduce;
        self
    }

    /// Most executions loom or shuttle's DFS may run.
    pub fn max_executions(mut self, n: u64) -> Self {
        self.max_executions = n;
        self
    }

    /// Seed of shuttle's schedulers and choices.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Called with the statistics so far about once a second (a library never prints).
    pub fn progress(mut self, progress: &'a mut dyn FnMut(&Stats)) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The configuration [`Checker::run`] uses: unset budget and threads come from
    /// [`Options::machine`] (detected only when one is unset).
    pub fn resolved_options(&self) -> Options {
        let (budget, threads) = match (self.budget, self.threads) {
            (Some(b), Some(t)) => (b, t),
            (b, t) => {
                let o = Options::machine(t, Budget::DEFAULT_MAX_STATES, None).0;
                (b.unwrap_or(o.budget), t.unwrap_or(o.threads))
            }
        };
        Options {
            budget,
            max_executions: self.max_executions,
            seed: self.seed,
            reduce: self.reduce,
            threads,
        }
    }

    /// Runs the check: one [`Report`], counterexamples replayed on the native
    /// semantics.
    pub fn run(self) -> Result<Report, CheckError> {
        let opts = self.resolved_options();
        let mut quiet = |_: &Stats| {};
        let progress = match self.progress {
            Some(p) => p,
            None => &mut quiet,
        };
        engines::check(self.engine, self.machine, self.properties, &opts, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;

    fn machine() -> Machine {
        faultline_models::build("hold-io", "fork-fuse", &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .machine
    }

    fn summary(r: &Report) -> (u64, u64, Vec<Status>) {
        let statuses = r.results.iter().map(|p| p.verdict.status()).collect();
        (r.stats.states, r.stats.transitions, statuses)
    }

    #[test]
    fn run_and_explore_are_the_builder_with_their_settings() {
        let m = machine();
        let props = [Property::Deadlock, Property::LockOrder];
        let opts = Options::default();
        let built = Checker::new(&m)
            .properties(&props)
            .options(&opts)
            .run()
            .unwrap_or_else(|e| panic!("{e}"));
        let ran = crate::run(Engine::Native, &m, &props, &opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary(&built), summary(&ran));
        assert_eq!(summary(&built).2, [Status::Violated, Status::Holds]);
        let budget = opts.budget;
        let unreduced = Checker::new(&m)
            .properties(&props)
            .budget(budget)
            .reduce(Reduce::None)
            .threads(1)
            .run()
            .unwrap_or_else(|e| panic!("{e}"));
        let explored = crate::explore(&m, &props, &budget).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary(&unreduced), summary(&explored));
        assert!(unreduced.stats.states >= built.stats.states);
    }

    #[test]
    fn settings_given_are_kept_and_unset_ones_come_from_the_machine() {
        let m = machine();
        let budget = Budget {
            max_states: 7,
            max_bytes: 9,
        };
        let o = Checker::new(&m)
            .budget(budget)
            .threads(3)
            .seed(5)
            .max_executions(11)
            .reduce(Reduce::None)
            .resolved_options();
        assert_eq!(
            (o.budget, o.threads, o.seed, o.max_executions, o.reduce),
            (budget, 3, 5, 11, Reduce::None)
        );
        let d = Checker::new(&m).resolved_options();
        let machine = Options::machine(None, Budget::DEFAULT_MAX_STATES, None).0;
        assert_eq!(d.threads, machine.threads);
        assert_eq!(d.budget.max_states, Budget::DEFAULT_MAX_STATES);
        assert_eq!(
            (d.seed, d.reduce),
            (Options::DEFAULT_SEED, Reduce::default())
        );
    }
}
