//! The compiled listing of a machine: what a reviewer checks against the kernel.

use std::fmt::Write as _;

use faultline_protocol::{Machine, Op};

use crate::knob::Knob;

/// `// design ID source: ...` lines, then one per knob value in `set` that cites one.
pub(crate) fn sources(
    what: &str,
    id: &str,
    source: &[String],
    knobs: &[Knob],
    set: &[(String, String)],
) -> String {
    let mut s = String::new();
    for t in source {
        let _ = writeln!(s, "// {what} {id} source: {t}");
    }
    for k in knobs {
        let Some((_, v)) = set.iter().find(|(n, _)| *n == k.name) else {
            continue;
        };
        if let Some((_, t)) = k.sources.iter().find(|(w, _)| w == v) {
            let _ = writeln!(s, "// {}={v} source: {t}", k.name);
        }
    }
    s
}

/// Every thread's program: pc, site, op and jump target.
pub(crate) fn listing(m: &Machine) -> String {
    let mut s = String::new();
    for v in m.vmas() {
        let _ = writeln!(
            s,
            "vma {} = {}{}",
            v.name,
            v.kind.name(),
            if v.anon_vma { " anon_vma" } else { "" }
        );
    }
    for f in m.folios() {
        let _ = writeln!(s, "folio {} = {:?} {:?}", f.name, f.backend, f.start);
    }
    for t in m.threads() {
        let process = match t.process {
            faultline_protocol::Process::Mm => "",
            faultline_protocol::Process::Other => ", another process",
        };
        let _ = writeln!(s, "\nthread {} ({:?}{process}):", t.name, t.role);
        let p = &t.program;
        for (pc, i) in p.instrs().iter().enumerate() {
            let arg = match i.op {
                Op::LockVmaUnderRcu { vma, .. }
                | Op::FindVma { vma, .. }
                | Op::VmaStartWrite { vma }
                | Op::VmaMarkDetached { vma }
                | Op::CopyPageRange { vma }
                | Op::CopyPageRangeEnd { vma }
                | Op::MmapRegion { vma }
                | Op::ChangeProtection { vma }
                | Op::UnmapVmas { vma }
                | Op::IfAnonVma { vma: Some(vma), .. } => m.vma_name(vma).to_string(),
                Op::FilemapGetFolio { folio, .. }
                | Op::SyncMmapReadahead { folio }
                | Op::FolioWaitLocked { folio }
                | Op::HandleUserfault { folio, .. } => m.folio_name(folio).to_string(),
                Op::SetFlag(f) | Op::ClearFlag(f) | Op::IfFlag { flag: f, .. } => {
                    f.name().to_string()
                }
                _ => String::new(),
            };
            let jump =
                i.op.label()
                    .map(|l| format!(" -> {}", p.target(l)))
                    .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {pc:3}  {:<28} {}({arg}){jump}",
                i.site,
                i.op.kernel_name()
            );
        }
    }
    s
}
