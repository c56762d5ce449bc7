//! `faultline list`: designs, scenarios, knobs, properties.

use std::fmt::Write;

use faultline_checker::Property;
use faultline_models::{DESIGNS, KnobDef, SCENARIOS, global_knobs};

fn knob_lines(s: &mut String, knobs: &[&KnobDef]) {
    for k in knobs {
        let _ = writeln!(
            s,
            "    --set {}={{{}}} (default {})",
            k.name,
            k.values(),
            k.default
        );
        let _ = writeln!(s, "        {}", k.help);
    }
}

/// The listing.
pub(crate) fn text() -> String {
    let mut s = String::from("designs:\n");
    for d in DESIGNS {
        let _ = writeln!(s, "  {:<12} {}", d.id, d.title);
        knob_lines(&mut s, d.knobs);
    }
    s += "\nscenarios:\n";
    for sc in SCENARIOS {
        let _ = writeln!(s, "  {:<12} {}", sc.id, sc.title);
        knob_lines(&mut s, sc.knobs);
    }
    s += "\nknobs of every design and scenario:\n";
    knob_lines(&mut s, global_knobs());
    s += "\nproperties:\n";
    for p in Property::ALL {
        let _ = writeln!(s, "  {:<16} {}", p.id(), p.describe());
    }
    s
}
