//! `faultline list`: designs, scenarios, knobs, properties.

use std::fmt::Write;

use faultline_checker::Property;
use faultline_models::{Catalog, KnobDef};

fn knob_lines(s: &mut String, knobs: &[KnobDef]) {
    for k in knobs {
        let _ = writeln!(
            s,
            "    --set {}={{{}}} (default {})",
            k.name,
            k.values(),
            k.default
        );
        let _ = writeln!(s, "        {}", k.help);
        for (v, t) in &k.sources {
            let _ = writeln!(s, "        {v}: {t}");
        }
    }
}

fn source_lines(s: &mut String, source: &[&str]) {
    for t in source {
        let _ = writeln!(s, "      source: {t}");
    }
}

/// The listing of `cat` (the built-in catalog and any `--file`s).
pub(crate) fn text(cat: &Catalog) -> String {
    let mut s = String::from("designs:\n");
    for d in cat.designs() {
        let _ = writeln!(s, "  {:<12} {}", d.id, d.title);
        source_lines(&mut s, &d.source);
        knob_lines(&mut s, &d.knobs);
    }
    s += "\nscenarios:\n";
    for sc in cat.matrix_scenarios() {
        let _ = writeln!(s, "  {:<12} {}", sc.id, sc.title);
        source_lines(&mut s, &sc.source);
        knob_lines(&mut s, &sc.knobs);
    }
    s += "\nreal-kernel scenarios (mirror the repro/ tests; not in the matrix):\n";
    for sc in cat.kernel_scenarios() {
        let _ = writeln!(s, "  {:<12} {}", sc.id, sc.title);
        source_lines(&mut s, &sc.source);
        knob_lines(&mut s, &sc.knobs);
    }
    s += "\nkernel: scenarios without a `kernel` knob follow `newest`: the 2026 linux-mm \
          mm core with torvalds x86 do_user_addr_fault @0069455b (VMA-lock RETRY|MAJOR \
          falls back to mmap_lock with FAULT_FLAG_TRIED, as since 6.8).\n";
    s += "\nknobs of every design and scenario:\n";
    knob_lines(&mut s, cat.global_knobs());
    s += "\nproperties:\n";
    for p in Property::ALL {
        let _ = writeln!(s, "  {:<16} {}", p.id(), p.describe());
    }
    s
}
