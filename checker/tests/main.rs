//! scratch
use faultline_checker::{Engine, Options, Property, run};

#[test]
fn scratch() {
    for (d, s, sets) in [("upstream", "many-faults", vec![("faults".to_string(),"1".to_string())]), ("upstream", "tried-fuse", vec![])] {
        let m = faultline_models::build(d, s, &sets).unwrap();
        for e in [Engine::Native, Engine::Loom, Engine::Shuttle] {
            let opts = Options { max_executions: 300_000, ..Options::default() };
            let r = run(e, &m.machine, &[Property::Deadlock], &opts);
            match r {
                Ok(r) => eprintln!("{d} {s} {sets:?} {e}: {} {}", r.overall(), r.stats),
                Err(err) => eprintln!("{d} {s} {e}: ERROR {err}"),
            }
        }
    }
}
