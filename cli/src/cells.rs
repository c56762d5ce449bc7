//! The cells `faultline report` checks today: the catalog's designs x scenarios, each
//! with its default knobs plus `--set`, every property, the native explorer. (How
//! cells are computed is kept apart from how [`crate::report`] writes them, so a
//! matrix runner can hand over its own cells.)

use faultline_checker::{Budget, Property, explore};
use faultline_models::{DESIGNS, SCENARIOS, knob_defs};

use crate::args::ReportArgs;
use crate::error::CliError;
use crate::report::Cell;

/// Checks every selected design x scenario. `--set` applies to each cell that has the
/// knob; a knob no selected cell has is an error.
pub(crate) fn catalog_cells(a: &ReportArgs) -> Result<Vec<Cell>, CliError> {
    for d in &a.designs {
        faultline_models::design(d)?;
    }
    for s in &a.scenarios {
        faultline_models::scenario(s)?;
    }
    let pick = |ids: &[String], id: &str| ids.is_empty() || ids.iter().any(|x| x == id);
    let pairs: Vec<_> = DESIGNS
        .iter()
        .filter(|d| pick(&a.designs, d.id))
        .flat_map(|d| {
            SCENARIOS
                .iter()
                .filter(|s| pick(&a.scenarios, s.id))
                .map(move |s| (d, s))
        })
        .collect();
    // Every knob must apply somewhere; say so before spending time on checks.
    let has = |d, s, k: &str| knob_defs(d, s).iter().any(|def| def.name == k);
    if let Some((k, _)) = a
        .sets
        .iter()
        .find(|(k, _)| !pairs.iter().any(|&(d, s)| has(d, s, k)))
    {
        return Err(CliError::Usage(format!(
            "no selected design x scenario has the knob `{k}`"
        )));
    }
    let mut cells = Vec::new();
    for (d, s) in pairs {
        let sets: Vec<(String, String)> = a
            .sets
            .iter()
            .filter(|(k, _)| has(d, s, k))
            .cloned()
            .collect();
        let model = faultline_models::build(d.id, s.id, &sets)?;
        let report = explore(&model.machine, Property::ALL, &Budget::default())?;
        cells.push(Cell { model, report });
    }
    Ok(cells)
}
