//! `faultline export --format promela`: the compiled machine as a model for SPIN.

use crate::args::{ExportArgs, ExportFormat};
use crate::error::CliError;

/// Builds the model and returns its text (for stdout), or writes it to `--output`.
pub(crate) fn run(a: &ExportArgs) -> Result<(u8, String), CliError> {
    let model = crate::build(&a.model)?;
    let knobs: Vec<String> = model
        .knobs
        .pairs()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let title = format!(
        "{} x {}, {}",
        model.design.id,
        model.scenario.id,
        knobs.join(" ")
    );
    let text = match a.format {
        ExportFormat::Promela => faultline_promela::export(&model.machine, &title)?,
    };
    match &a.output {
        Some(path) => {
            crate::write::not_an_input(path, &a.model.files.files)?;
            crate::write::write_file(path, text.as_bytes())?;
            Ok((0, String::new()))
        }
        None => Ok((0, text)),
    }
}
