//! The catalog: look up a design and a scenario by id, resolve knobs, build the machine.

use faultline_protocol::Machine;

use crate::designs::{DESIGNS, Design};
use crate::error::CatalogError;
use crate::knobs::{KnobDef, Knobs};
use crate::scenarios::{ADMISSION, FORK_LOCK, KERNEL_SCENARIOS, SCENARIOS, Scenario, admission};

/// A design and a scenario, built with resolved knobs.
#[derive(Debug)]
pub struct Model {
    /// The design.
    pub design: &'static Design,
    /// The scenario.
    pub scenario: &'static Scenario,
    /// Every knob that applies, set or defaulted.
    pub knobs: Knobs,
    /// The machine to explore.
    pub machine: Machine,
}

/// The design with this id.
pub fn design(id: &str) -> Result<&'static Design, CatalogError> {
    DESIGNS
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| CatalogError::UnknownDesign {
            name: id.to_string(),
            valid: DESIGNS.iter().map(|d| d.id).collect::<Vec<_>>().join(", "),
        })
}

/// The scenario with this id.
pub fn scenario(id: &str) -> Result<&'static Scenario, CatalogError> {
    SCENARIOS
        .iter()
        .chain(KERNEL_SCENARIOS)
        .find(|s| s.id == id)
        .ok_or_else(|| CatalogError::UnknownScenario {
            name: id.to_string(),
            valid: SCENARIOS
                .iter()
                .chain(KERNEL_SCENARIOS)
                .map(|s| s.id)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Knobs that apply to every design and scenario.
pub fn global_knobs() -> &'static [&'static KnobDef] {
    static GLOBAL: [&KnobDef; 2] = [&FORK_LOCK, &ADMISSION];
    &GLOBAL
}

/// Every knob of `design` x `scenario`: the design's, the scenario's, then the global
/// ones.
pub fn knob_defs(design: &Design, scenario: &Scenario) -> Vec<&'static KnobDef> {
    let mut defs: Vec<&'static KnobDef> = Vec::new();
    defs.extend(design.knobs);
    defs.extend(scenario.knobs);
    defs.extend(global_knobs());
    defs
}

/// Builds `design` x `scenario` with `sets` (`NAME=VALUE` pairs already split).
pub fn build(
    design_id: &str,
    scenario_id: &str,
    sets: &[(String, String)],
) -> Result<Model, CatalogError> {
    let design = design(design_id)?;
    let scenario = scenario(scenario_id)?;
    let context = format!("{} x {}", design.id, scenario.id);
    let knobs = Knobs::resolve(&knob_defs(design, scenario), sets, &context)?;
    let machine = scenario.build(design.policy(&knobs), &knobs, admission(&knobs))?;
    Ok(Model {
        design,
        scenario,
        knobs,
        machine,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_design_and_scenario_builds_with_defaults() {
        for d in DESIGNS {
            for s in SCENARIOS.iter().chain(KERNEL_SCENARIOS) {
                let m = build(d.id, s.id, &[]).expect("catalog entries build");
                assert!(!m.machine.threads().is_empty(), "{} x {}", d.id, s.id);
            }
        }
    }

    #[test]
    fn unknown_ids_name_the_valid_choices() {
        let e = build("nope", "fork-fuse", &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown design `nope`; valid designs: upstream, vma-retry, hold-io, two-flag"
        );
        let e = build("upstream", "nope", &[]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown scenario `nope`; valid scenarios: fork-fuse,")
        );
    }

    #[test]
    fn a_knob_of_another_scenario_is_unknown_here() {
        let sets = [("mapping".to_string(), "shared".to_string())];
        let e = build("upstream", "tried-fuse", &sets).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown knob `mapping` for upstream x tried-fuse; valid knobs: admission, evictions, fork-lock, server, server-buffer, server-fault, writer-vma"
        );
    }
}
