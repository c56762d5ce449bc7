//! Parity, after the fact. Before the Rust builders were deleted, a structural test
//! showed that every catalog `.fl` file compiled to the same machine as the builder it
//! replaced, for every design x scenario x knob combination (97,272, kernel scenarios
//! included), and that 240 pinned cells explored to the same states, transitions and
//! verdicts. Those counts are `models/fl/PARITY.md`; this test holds the compiled
//! catalog to them, so a change in the text that changes a count fails here and must
//! say why.

use faultline_checker::{Budget, Property, explore};

/// `(design, scenario, knob settings, states, transitions, verdicts)` rows.
type Row = (String, String, Vec<(String, String)>, usize, usize, String);

fn rows() -> Vec<Row> {
    let text = include_str!("../../fl/PARITY.md");
    text.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| design"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let sets = cells[2]
                .split_whitespace()
                .map(|kv| {
                    let (k, v) = kv.split_once('=').expect("knob=value");
                    (k.to_string(), v.to_string())
                })
                .collect();
            (
                cells[0].to_string(),
                cells[1].to_string(),
                sets,
                cells[3].parse().expect("states"),
                cells[4].parse().expect("transitions"),
                cells[5].to_string(),
            )
        })
        .collect()
}

#[test]
fn the_compiled_catalog_explores_to_the_counts_parity_recorded() {
    let rows = rows();
    assert_eq!(rows.len(), 240, "PARITY.md rows");
    for (d, s, sets, states, transitions, verdicts) in rows {
        let (states, transitions) = (states as u64, transitions as u64);
        let m = faultline_models::build(&d, &s, &sets).expect("builds");
        let props: Vec<Property> = m
            .scenario
            .properties
            .iter()
            .map(|p| Property::parse(p).expect("property"))
            .collect();
        let r = explore(&m.machine, &props, &Budget::default()).expect("explores");
        let got = r
            .results
            .iter()
            .map(|x| format!("{}={}", x.property.id(), x.verdict.status()))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            (r.stats.states, r.stats.transitions, got),
            (states, transitions, verdicts),
            "{d} x {s} {sets:?}"
        );
    }
}

#[test]
fn every_blocking_site_in_the_catalog_has_a_kernel_wait_entry() {
    // models::wait classifies a blocked op by op and site (the function the text
    // calls it in); a new site must be classified there, not fall to a default.
    let mut builds = 0;
    let mut missing = std::collections::BTreeMap::new();
    for d in faultline_models::DESIGNS {
        for s in faultline_models::SCENARIOS
            .into_iter()
            .chain(faultline_models::KERNEL_SCENARIOS)
        {
            let defs = faultline_models::knob_defs(d, s);
            // Every value of every knob, one knob at a time (the sites a knob adds
            // appear with the others at their defaults).
            let mut variants = vec![Vec::new()];
            for k in &defs {
                for v in k.all_values() {
                    variants.push(vec![(k.name.to_string(), v)]);
                }
            }
            for sets in variants {
                let m = faultline_models::build(d.id, s.id, &sets).expect("builds");
                let kernel = faultline_models::Kernel::of(&m.knobs);
                for t in m.machine.threads() {
                    for i in t.program.instrs() {
                        if let Some(m) = faultline_models::unclassified(kernel, i.op, i.site) {
                            missing.entry(m).or_insert_with(|| {
                                format!("{} x {}, thread {}", d.id, s.id, t.name)
                            });
                        }
                    }
                }
                builds += 1;
            }
        }
    }
    assert!(
        missing.is_empty(),
        "sites models::wait does not classify:\n{}",
        missing
            .into_iter()
            .map(|(m, e)| format!("{m} (e.g. {e})"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(builds > 500, "{builds}");
}
