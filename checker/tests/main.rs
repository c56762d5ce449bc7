//! The checker's integration tests (one binary).
//!
//! - `engines`: native, loom and shuttle agree on every small catalog case (verdicts,
//!   and the state count when nothing is violated); every loom or shuttle
//!   counterexample replays on the native engine, and shuttle schedules replay through
//!   shuttle; `choose` is explored; caps give `inconclusive`; loom refuses 5 threads.
//! - `reductions`: on every small catalog case, each reduction (none, por, symmetry,
//!   all) and each thread count gives the same verdicts; every counterexample replays
//!   to the same violation; thread counts change nothing; `none` keeps pinned counts.

mod engines {
    use faultline_checker::{
        CheckError, Engine, EngineLimit, Limit, Options, Property, Reduce, Report, Status, Verdict,
        replay, replay_shuttle, run,
    };
    use faultline_models::{DESIGNS, KnobKind, Model, SCENARIOS, build, knob_defs};
    use faultline_traces::Trace;

    /// Native states above which a case is too slow for loom in a test (loom needs
    /// tens of executions per state; `many-faults faults=2` has 6,544 to 12,724).
    const LOOM_STATES: u64 = 2_000;
    /// The same for shuttle's DFS (about 3 executions per state).
    const SHUTTLE_STATES: u64 = 5_000;

    /// Unreduced: loom and shuttle see every state, so the counts compare.
    fn opts() -> Options {
        Options {
            max_executions: 60_000,
            reduce: Reduce::None,
            ..Options::default()
        }
    }

    fn model(design: &str, scenario: &str, sets: &[(&str, &str)]) -> Model {
        let sets: Vec<(String, String)> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        build(design, scenario, &sets).expect("catalog case builds")
    }

    /// Every design x scenario with default knobs, and with each knob moved off its
    /// default one at a time (numbers: the two smallest values).
    fn cases() -> Vec<(String, Model)> {
        let mut out = Vec::new();
        for d in DESIGNS {
            for s in SCENARIOS {
                let mut variants: Vec<Vec<(String, String)>> = vec![Vec::new()];
                for k in knob_defs(d, s) {
                    let values: Vec<String> = match k.kind {
                        KnobKind::Choice(vals) => vals,
                        KnobKind::Range { min, max } => {
                            (min..=max.min(min + 2)).map(|v| v.to_string()).collect()
                        }
                    };
                    // Eviction budgets past 1 only multiply interleavings of the same
                    // steps; 0 and 1 show reclaim's effect.
                    let small = |v: &String| k.name != "evictions" || v == "0" || v == "1";
                    for v in values.into_iter().filter(|v| v != k.default && small(v)) {
                        variants.push(vec![(k.name.to_string(), v)]);
                    }
                }
                for sets in variants {
                    let m = build(d.id, s.id, &sets).expect("catalog case builds");
                    if m.machine.threads().len() <= faultline_checker::LOOM_MAX_THREADS {
                        out.push((format!("{} {} {sets:?}", d.id, s.id), m));
                    }
                }
            }
        }
        out
    }

    /// Whether `r`'s verdict for `p` is the engine's "liveness is out of reach".
    fn liveness_out_of_reach(r: &Report, k: usize) -> bool {
        matches!(
            r.results[k].verdict,
            Verdict::Inconclusive(Limit::Engine(EngineLimit::Liveness { .. }))
        )
    }

    /// `r` (loom or shuttle) agrees with `native` property by property; its
    /// counterexamples replay natively to the same violation; an exhaustive clean run
    /// saw exactly the native state count. Returns false, comparing nothing, when the
    /// engine stopped at its execution cap (an honest `inconclusive`).
    fn assert_agrees(case: &str, m: &Model, native: &Report, r: &Report) -> bool {
        let capped = r.results.iter().any(|res| {
            matches!(
                res.verdict,
                Verdict::Inconclusive(Limit::Engine(
                    EngineLimit::LoomCap { .. } | EngineLimit::ShuttleSampled { .. }
                ))
            )
        });
        if capped {
            return false;
        }
        for (k, res) in r.results.iter().enumerate() {
            if liveness_out_of_reach(r, k) {
                continue;
            }
            let (ours, theirs) = (res.verdict.status(), native.results[k].verdict.status());
            assert_eq!(
                ours, theirs,
                "{case}: {} {} vs native",
                r.engine, res.property
            );
            if let Verdict::Violated(cx) = &res.verdict {
                let steps: Vec<_> = cx.trace.steps().collect();
                let again = replay(&m.machine, &steps, &[res.property]).expect("replays");
                assert_eq!(again.violated, vec![res.property], "{case}: {}", r.engine);
            }
        }
        // Nothing violated: the engine went everywhere, so it saw every native state.
        let clean =
            r.results.iter().enumerate().all(|(k, res)| {
                matches!(res.verdict, Verdict::Holds) || liveness_out_of_reach(r, k)
            });
        if clean {
            assert_eq!(r.stats.states, native.stats.states, "{case}: {}", r.engine);
        }
        true
    }

    #[test]
    fn native_loom_and_shuttle_agree_on_every_small_catalog_case() {
        let cases = cases();
        assert!(cases.len() >= 20, "only {} cases", cases.len());
        // The cases are independent: spread them over the cores (this test is most of
        // the workspace's test time); a failing case still fails the test.
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (mut loom_runs, mut shuttle_runs) = (0, 0);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let cases = &cases;
                    s.spawn(move || {
                        let (mut loom_runs, mut shuttle_runs) = (0, 0);
                        for (case, m) in cases.iter().skip(w).step_by(workers) {
                            let native = run(Engine::Native, &m.machine, Property::ALL, &opts())
                                .expect("native");
                            if native.stats.states <= SHUTTLE_STATES {
                                let shuttle =
                                    run(Engine::Shuttle, &m.machine, Property::ALL, &opts())
                                        .expect(case);
                                shuttle_runs +=
                                    usize::from(assert_agrees(case, m, &native, &shuttle));
                            }
                            if native.stats.states <= LOOM_STATES {
                                let loom = run(Engine::Loom, &m.machine, Property::ALL, &opts())
                                    .expect(case);
                                loom_runs += usize::from(assert_agrees(case, m, &native, &loom));
                            }
                        }
                        (loom_runs, shuttle_runs)
                    })
                })
                .collect();
            for h in handles {
                let (l, sh) = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                loom_runs += l;
                shuttle_runs += sh;
            }
        });
        // Most cases must be decided, or the test would compare little (290 and 294
        // of 330 today).
        assert!(loom_runs >= 250, "loom decided only {loom_runs} cases");
        assert!(
            shuttle_runs >= 250,
            "shuttle decided only {shuttle_runs} cases"
        );
    }

    #[test]
    fn hold_io_fork_fuse_deadlocks_on_every_engine_and_upstream_holds() {
        let bad = model("hold-io", "fork-fuse", &[]);
        let good = model("upstream", "fork-fuse", &[]);
        for &e in Engine::ALL {
            let r = run(e, &bad.machine, &[Property::Deadlock], &opts()).expect("runs");
            assert_eq!(r.engine, e);
            let Verdict::Violated(cx) = &r.results[0].verdict else {
                panic!("{e}: {:?}", r.results[0].verdict)
            };
            // The wait-for graph at the end has the fault -> fork -> server cycle.
            assert!(!cx.wait_for.cycle().is_empty(), "{e}");
            let r = run(e, &good.machine, &[Property::Deadlock], &opts()).expect("runs");
            assert_eq!(r.overall(), Status::Holds, "{e}");
            assert_eq!(r.stats.states, 209, "{e}");
        }
    }

    #[test]
    fn shuttle_schedules_and_native_tokens_replay_to_the_same_steps() {
        for (design, scenario, sets) in [
            ("hold-io", "fork-fuse", &[][..]),
            ("upstream", "tried-fuse", &[][..]),
            ("upstream", "fork-fuse", &[("evictions", "1")][..]),
        ] {
            let m = model(design, scenario, sets);
            let r = run(Engine::Shuttle, &m.machine, &[Property::Deadlock], &opts()).expect("runs");
            let Verdict::Violated(cx) = &r.results[0].verdict else {
                panic!("{design} {scenario}: {:?}", r.results[0].verdict)
            };
            let steps: Vec<_> = cx.trace.steps().collect();
            let schedule = cx
                .schedule
                .as_deref()
                .expect("shuttle records its schedule");
            let replayed = replay_shuttle(&m.machine, schedule).expect("schedule replays");
            assert_eq!(replayed, steps, "{design} {scenario} {schedule}");
            assert_eq!(Trace::parse_token(&cx.trace.token()), Ok(steps.clone()));
            let again = replay(&m.machine, &steps, &[Property::Deadlock]).expect("replays");
            assert_eq!(again.violated, vec![Property::Deadlock]);
        }
        let m = model("hold-io", "fork-fuse", &[]);
        assert!(matches!(
            replay_shuttle(&m.machine, "0z!"),
            Err(CheckError::BadSchedule { .. })
        ));
    }

    #[test]
    fn a_shuttle_schedule_of_another_model_or_with_garbage_is_refused_not_replayed_short() {
        let hold = model("hold-io", "fork-fuse", &[]);
        let r = run(
            Engine::Shuttle,
            &hold.machine,
            &[Property::Deadlock],
            &opts(),
        )
        .expect("runs");
        let Verdict::Violated(cx) = &r.results[0].verdict else {
            panic!("{:?}", r.results[0].verdict)
        };
        let schedule = cx.schedule.clone().expect("a schedule");
        assert!(replay_shuttle(&hold.machine, &schedule).is_ok());
        let evict = model("upstream", "evict-retry", &[]);
        let (tasks, _) = schedule.split_once('.').expect("TASKS.CHOICES");
        for bad in [
            "z.".to_string(),
            ".".to_string(),
            "4.".to_string(),
            format!("{tasks}.zzzz"),
            format!("{tasks}3333333333."),
        ] {
            let e = replay_shuttle(&hold.machine, &bad).expect_err(&bad);
            assert!(
                matches!(
                    e,
                    CheckError::ScheduleMismatch { .. } | CheckError::BadSchedule { .. }
                ),
                "{bad}: {e}"
            );
        }
        assert!(replay_shuttle(&evict.machine, &schedule).is_err());
    }

    #[test]
    fn loom_refuses_more_than_four_model_threads() {
        let m = model("upstream", "many-faults", &[("faults", "3")]);
        assert_eq!(m.machine.threads().len(), 5);
        let e = run(Engine::Loom, &m.machine, &[Property::Deadlock], &opts()).unwrap_err();
        assert!(
            matches!(
                e,
                CheckError::TooManyThreads {
                    engine: "loom",
                    threads: 5,
                    max: 4
                }
            ),
            "{e}"
        );
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn a_capped_run_is_inconclusive_with_the_count_and_seed() {
        let m = model("upstream", "fork-fuse", &[]);
        let capped = Options {
            max_executions: 20,
            seed: 7,
            ..Options::default()
        };
        let r = run(Engine::Loom, &m.machine, &[Property::Deadlock], &capped).expect("runs");
        assert!(
            matches!(
                r.results[0].verdict,
                Verdict::Inconclusive(Limit::Engine(EngineLimit::LoomCap { executions: 20 }))
            ),
            "{:?}",
            r.results[0].verdict
        );
        let r = run(Engine::Shuttle, &m.machine, &[Property::Deadlock], &capped).expect("runs");
        let Verdict::Inconclusive(Limit::Engine(EngineLimit::ShuttleSampled { executions, seed })) =
            r.results[0].verdict
        else {
            panic!("{:?}", r.results[0].verdict)
        };
        assert_eq!((executions, seed), (40, 7));
        assert_eq!(r.stats.executions, 40);
        assert!(r.results[0].verdict.status() == Status::Inconclusive);
    }

    #[test]
    fn sampling_finds_a_deep_deadlock_and_its_schedule_replays() {
        // DFS needs about 145 executions for this deadlock; capped at 100 it stops
        // short, and PCT and random sampling (50 each, seed 3) find it.
        let m = model("upstream", "tried-fuse", &[]);
        let o = Options {
            max_executions: 100,
            seed: 3,
            ..Options::default()
        };
        let r = run(Engine::Shuttle, &m.machine, &[Property::Deadlock], &o).expect("runs");
        let Verdict::Violated(cx) = &r.results[0].verdict else {
            panic!("{:?}", r.results[0].verdict)
        };
        let schedule = cx.schedule.as_deref().expect("schedule");
        let replayed = replay_shuttle(&m.machine, schedule).expect("replays");
        assert_eq!(replayed, cx.trace.steps().collect::<Vec<_>>());
    }

    /// T0 chooses: return at once, or take `mmap_lock` for write and exit holding it.
    /// T1 takes it for read. Only the second alternative deadlocks T1, so an engine
    /// that does not explore `choose` would report `holds`. (No catalog scenario needs
    /// a choice for any of its states yet.)
    fn choice_machine() -> faultline_protocol::Machine {
        use faultline_protocol::{Admission, Machine, Op, ProgramBuilder, Reclaim, ThreadSpec};
        let mut t0 = ProgramBuilder::new("test");
        let alt = t0.label();
        t0.op(Op::Choose { alt }).op(Op::Exit);
        t0.place(alt).op(Op::MmapWriteLock).op(Op::Exit);
        let mut t1 = ProgramBuilder::new("test");
        t1.op(Op::MmapReadLock).op(Op::Exit);
        let thread = |name: &str, b: ProgramBuilder| ThreadSpec {
            name: name.to_string(),
            program: b.build().expect("program builds"),
            role: faultline_protocol::Role::Fault,
            process: Default::default(),
        };
        Machine::new(
            vec![thread("chooser", t0), thread("reader", t1)],
            Vec::new(),
            Vec::new(),
            Admission::Fair,
            Reclaim::Bounded(0),
        )
        .expect("machine builds")
    }

    #[test]
    fn every_engine_explores_both_alternatives_of_a_choice() {
        let m = choice_machine();
        for &e in Engine::ALL {
            let r = run(e, &m, &[Property::Deadlock], &opts()).expect("runs");
            let Verdict::Violated(cx) = &r.results[0].verdict else {
                panic!("{e}: {:?}", r.results[0].verdict)
            };
            assert!(
                cx.trace.token().contains("t0.1"),
                "{e}: {}",
                cx.trace.token()
            );
        }
    }
}

mod reductions {
    use faultline_checker::{
        Budget, Engine, Options, Property, Reduce, Report, Verdict, explore, replay, run,
    };
    use faultline_models::{DESIGNS, KnobKind, SCENARIOS, build, knob_defs};

    /// Unreduced states above which a case is left to the benchmarks (debug build).
    const MAX_STATES: u64 = 30_000;

    fn opts(reduce: Reduce, threads: usize) -> Options {
        Options {
            reduce,
            threads,
            budget: Budget {
                max_states: 200_000,
                ..Budget::default()
            },
            ..Options::default()
        }
    }

    /// Every design x scenario, default knobs and each knob moved once (numbers: the
    /// two smallest values).
    fn cases() -> Vec<(String, faultline_models::Model)> {
        let mut out = Vec::new();
        for d in DESIGNS {
            for s in SCENARIOS {
                let mut variants: Vec<Vec<(String, String)>> = vec![Vec::new()];
                for k in knob_defs(d, s) {
                    let values: Vec<String> = match k.kind {
                        KnobKind::Choice(vals) => vals,
                        KnobKind::Range { min, max } => {
                            (min..=max.min(min + 1)).map(|v| v.to_string()).collect()
                        }
                    };
                    for v in values.into_iter().filter(|v| v != k.default) {
                        variants.push(vec![(k.name.to_string(), v)]);
                    }
                }
                for sets in variants {
                    let m = build(d.id, s.id, &sets).expect("catalog case builds");
                    out.push((format!("{} {} {sets:?}", d.id, s.id), m));
                }
            }
        }
        out
    }

    /// `r`'s verdicts equal `base`'s; its counterexamples replay to their violation.
    fn assert_same_verdicts(case: &str, m: &faultline_models::Model, base: &Report, r: &Report) {
        for (res, b) in r.results.iter().zip(&base.results) {
            assert_eq!(
                res.verdict.status(),
                b.verdict.status(),
                "{case}: {} with {}",
                res.property,
                r.stats.reductions
            );
            if let Verdict::Violated(cx) = &res.verdict {
                let steps: Vec<_> = cx.trace.steps().collect();
                let again = replay(&m.machine, &steps, &[res.property]).expect("replays");
                assert_eq!(again.violated, vec![res.property], "{case}: {steps:?}");
            }
        }
    }

    fn steps(r: &Report) -> Vec<String> {
        r.results
            .iter()
            .map(|res| match &res.verdict {
                Verdict::Violated(cx) => cx.trace.steps().map(|s| s.to_string()).collect(),
                v => v.status().to_string(),
            })
            .collect()
    }

    #[test]
    fn every_reduction_and_thread_count_gives_the_same_verdicts_on_every_small_case() {
        let safety: Vec<Property> = Property::ALL
            .iter()
            .copied()
            .filter(|p| !p.is_liveness())
            .collect();
        let mut compared = 0;
        let mut reduced = 0;
        for (case, m) in cases() {
            let base =
                run(Engine::Native, &m.machine, &safety, &opts(Reduce::None, 1)).expect("native");
            if base.stats.states > MAX_STATES
                || base.overall() == faultline_checker::Status::Inconclusive
            {
                continue;
            }
            compared += 1;
            for &reduce in Reduce::ALL {
                let one = run(Engine::Native, &m.machine, &safety, &opts(reduce, 1)).expect(&case);
                let two = run(Engine::Native, &m.machine, &safety, &opts(reduce, 2)).expect(&case);
                assert_same_verdicts(&case, &m, &base, &one);
                // Thread counts change nothing: counts and counterexamples are equal.
                assert_eq!(
                    (one.stats.states, one.stats.transitions),
                    (two.stats.states, two.stats.transitions),
                    "{case} {reduce}"
                );
                assert_eq!(steps(&one), steps(&two), "{case} {reduce}");
                assert!(one.stats.states <= base.stats.states, "{case} {reduce}");
                reduced += usize::from(one.stats.states < base.stats.states);
            }
        }
        assert!(compared >= 100, "only {compared} cases compared");
        assert!(reduced >= 50, "reductions shrank only {reduced} runs");
    }

    /// Threads look successors up in the visited set while others are expanded; a
    /// stale or wrong lookup would change the counts, the edges behind liveness or a
    /// counterexample. These cases have BFS levels wide enough for every worker.
    #[test]
    fn one_two_and_four_threads_store_the_same_states_edges_and_counterexamples() {
        let mut violated = 0;
        for design in ["upstream", "hold-io"] {
            let m = build(design, "many-faults", &[("faults".into(), "3".into())]).expect("builds");
            for reduce in [Reduce::None, Reduce::All] {
                let runs: Vec<Report> = [1, 2, 4]
                    .into_iter()
                    .map(|t| {
                        let mut o = opts(reduce, t);
                        o.budget.max_states = 1_000_000;
                        run(Engine::Native, &m.machine, Property::ALL, &o).expect("runs")
                    })
                    .collect();
                let case = format!("{design} {reduce}");
                for r in &runs[1..] {
                    assert_eq!(
                        (r.stats.states, r.stats.transitions, r.stats.depth),
                        (
                            runs[0].stats.states,
                            runs[0].stats.transitions,
                            runs[0].stats.depth
                        ),
                        "{case}"
                    );
                    assert_eq!(steps(r), steps(&runs[0]), "{case}");
                }
                assert!(runs[0].stats.states > 10_000, "{case}: {}", runs[0].stats);
                violated += runs[0]
                    .results
                    .iter()
                    .filter(|res| matches!(res.verdict, Verdict::Violated(_)))
                    .count();
            }
        }
        assert!(violated >= 2, "only {violated} counterexamples compared");
    }

    #[test]
    fn reduce_none_keeps_the_pinned_counts_and_reports_the_full_count() {
        let m = build("upstream", "many-faults", &[("faults".into(), "2".into())]).expect("builds");
        let props = [Property::Deadlock];
        let none = run(Engine::Native, &m.machine, &props, &opts(Reduce::None, 2)).expect("runs");
        let explored = explore(&m.machine, &props, &Budget::default()).expect("runs");
        // The matched SPIN model's count (perf study): 13,859 states.
        assert_eq!(none.stats.states, 13_859);
        assert_eq!(none.stats.transitions, explored.stats.transitions);
        assert_eq!(none.stats.full_states, Some(13_859));
        let all = run(Engine::Native, &m.machine, &props, &opts(Reduce::All, 2)).expect("runs");
        // fault0 and fault1 fault different VMAs: no symmetry, but fewer interleavings.
        assert!(all.stats.states < 13_859, "{}", all.stats);
        assert_eq!(all.stats.full_states, None);
        assert!(all.stats.reductions.por);
        assert_eq!(all.stats.reductions.symmetry, Some(1));
        let text = all.stats.to_string();
        assert!(
            text.contains("reductions: partial-order, symmetry (no interchangeable threads)"),
            "{text}"
        );
    }

    #[test]
    fn liveness_runs_unreduced_and_says_so() {
        let m = build("upstream", "many-faults", &[("faults".into(), "2".into())]).expect("builds");
        let r = run(
            Engine::Native,
            &m.machine,
            &[Property::Deadlock, Property::Livelock],
            &opts(Reduce::All, 1),
        )
        .expect("runs");
        assert_eq!(r.stats.states, 13_859);
        assert!(!r.stats.reductions.por && r.stats.reductions.symmetry.is_none());
        assert!(r.stats.reductions.skipped.is_some());
    }

    #[test]
    fn symmetric_counterexamples_are_renamed_back_onto_the_concrete_threads() {
        // hold-io many-faults violates the latency properties; the counterexample found
        // on representatives replays on the concrete machine.
        let m = build("hold-io", "many-faults", &[("faults".into(), "3".into())]).expect("builds");
        let props = [Property::WriterWaitsIo, Property::ForkWaitsIo];
        let r = run(
            Engine::Native,
            &m.machine,
            &props,
            &opts(Reduce::Symmetry, 2),
        )
        .expect("runs");
        let none = run(Engine::Native, &m.machine, &props, &opts(Reduce::None, 2)).expect("runs");
        assert_same_verdicts("hold-io many-faults 3", &m, &none, &r);
        // Symmetry keeps BFS depth: the counterexamples are as short as unreduced ones.
        for (a, b) in r.results.iter().zip(&none.results) {
            if let (Verdict::Violated(x), Verdict::Violated(y)) = (&a.verdict, &b.verdict) {
                assert_eq!(x.trace.len(), y.trace.len());
            }
        }
    }
}
