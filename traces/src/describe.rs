//! Words for steps and object states, shared by the text, JSON and DOT renderings.

use faultline_protocol::{
    Backend, Flag, FolioId, FolioState, Hazard, Machine, Mode, Op, ReadFail, Status, Step, Tid,
    VmaId, WaitOn, World,
};

/// Who took a step: a thread (`T0 fault`) or an actor (`disk`, `reclaim`, `rwsem`).
pub fn actor(m: &Machine, step: Step) -> String {
    match step {
        Step::Thread { tid, .. } => m.thread_label(tid),
        Step::IoDone(_) => "disk".into(),
        Step::Evict(_) => "reclaim".into(),
        Step::Handoff => "rwsem".into(),
    }
}

/// The kernel function a step runs, with its object: `lock_vma_under_rcu(F)`.
pub fn function(m: &Machine, before: &World, step: Step) -> String {
    match step {
        Step::Thread { tid, choice } => {
            let Some(instr) = m.next_instr(before, tid) else {
                return "exit".into();
            };
            let name = instr.op.kernel_name();
            let th = before.thread(tid);
            let vma = |v: VmaId| m.vma_name(v).to_string();
            let folio = |f: Option<FolioId>| f.map_or("?".into(), |f| m.folio_name(f).to_string());
            let arg = match instr.op {
                Op::LockVmaUnderRcu { vma: v, .. }
                | Op::FindVma { vma: v, .. }
                | Op::VmaStartWrite { vma: v }
                | Op::VmaMarkDetached { vma: v }
                | Op::CopyPageRange { vma: v }
                | Op::CopyPageRangeEnd { vma: v }
                | Op::MmapRegion { vma: v }
                | Op::IfAnonVma { vma: Some(v), .. }
                | Op::ChangeProtection { vma: v }
                | Op::UnmapVmas { vma: v } => Some(vma(v)),
                Op::VmaEndRead
                | Op::VmaStartRead { .. }
                | Op::AnonVmaPrepare
                | Op::IfAnonVma { vma: None, .. } => th.vma.map(vma),
                Op::FilemapGetFolio { folio: f, .. }
                | Op::SyncMmapReadahead { folio: f }
                | Op::FolioWaitLocked { folio: f }
                | Op::InvalidateFolio { folio: f }
                | Op::FuseWritebackStart { folio: f }
                | Op::FuseRequestSend { folio: f }
                | Op::FuseRequestWait { folio: f }
                | Op::FuseWaitWriteback { folio: f }
                | Op::IfFolioWriteback { folio: f, .. }
                | Op::FolioWaitWriteback { folio: f } => Some(folio(Some(f))),
                Op::FolioTrylock { .. }
                | Op::FolioLock
                | Op::FolioUnlock
                | Op::FolioPut
                | Op::IfFolioUptodate { .. } => Some(folio(th.folio)),
                Op::MapPte | Op::MapAnon | Op::VmaSetMaybeGuard | Op::GuardInstallPte => {
                    th.vma.map(vma)
                }
                Op::FuseDevWrite | Op::UffdioCopy => Some(folio(th.folio)),
                Op::FuseDevRead => Some(folio(m.pending(before, Backend::Fuse).nth(choice.into()))),
                Op::UffdRead => Some(folio(m.pending(before, Backend::Uffd).nth(choice.into()))),
                Op::HandleUserfault { folio: f, .. } => Some(folio(Some(f))),
                Op::Choose { .. } => Some(choice.to_string()),
                _ => None,
            };
            match arg {
                Some(a) => format!("{name}({a})"),
                None => name.to_string(),
            }
        }
        Step::IoDone(f) => format!("folio_end_read({})", m.folio_name(f)),
        Step::Evict(f) => format!("shrink_folio_list({})", m.folio_name(f)),
        Step::Handoff => "RWSEM_FLAG_HANDOFF".into(),
    }
}

/// The kernel function the step's instruction sits in (`filemap_fault`), if a thread's.
pub fn site(m: &Machine, before: &World, step: Step) -> Option<&'static str> {
    step.tid()
        .and_then(|t| m.next_instr(before, t))
        .map(|i| i.site)
}

/// `mmap_lock` state: `free`, `W T1`, `R {T0,T2}`, then `q[T1w T2r]` (the wait list,
/// head first) and `handoff`.
pub fn mmap_text(w: &World) -> String {
    let l = &w.mmap;
    let mut s = match (l.writer(), l.readers().is_empty()) {
        (Some(t), _) => format!("W {t}"),
        (None, false) => format!("R {}", l.readers()),
        (None, true) => "free".into(),
    };
    let q: Vec<String> = l
        .queue()
        .map(|(t, mode)| format!("{t}{}", if mode == Mode::Write { "w" } else { "r" }))
        .collect();
    if !q.is_empty() {
        s += &format!(" q[{}]", q.join(" "));
    }
    if l.handoff() {
        s += " handoff";
    }
    s
}

/// A VMA's lock state: `unlocked`, `R {T0}`, `write-locked`, `excl by T1, R {T0}`,
/// `detached`, then `anon_vma` and `VM_COPY_ON_FORK` when set.
pub fn vma_text(w: &World, v: VmaId) -> String {
    let s = w.vma(v);
    let mut t = if !s.attached {
        "detached".to_string()
    } else if s.write_locked {
        "write-locked".to_string()
    } else if let Some(x) = s.excluding {
        format!("excl by {x}, R {}", s.readers)
    } else if !s.readers.is_empty() {
        format!("R {}", s.readers)
    } else {
        "unlocked".to_string()
    };
    if s.anon_vma {
        t += ", anon_vma";
    }
    if s.copy_on_fork {
        t += ", VM_COPY_ON_FORK";
    }
    if s.copying {
        t += ", fork copying";
    }
    t
}

fn folio_state(s: FolioState) -> String {
    match s {
        FolioState::Absent => "absent".into(),
        FolioState::Uptodate => "uptodate".into(),
        FolioState::ReadIo {
            backend: Backend::Disk,
            ..
        } => "disk read".into(),
        FolioState::ReadIo {
            backend: Backend::Fuse,
            claimed: false,
        } => "FUSE read".into(),
        FolioState::ReadIo {
            backend: Backend::Fuse,
            claimed: true,
        } => "FUSE read served".into(),
        FolioState::ReadIo {
            backend: Backend::Uffd,
            claimed: false,
        } => "uffd fault queued".into(),
        FolioState::ReadIo {
            backend: Backend::Uffd,
            claimed: true,
        } => "uffd fault taken".into(),
        FolioState::Locked(t) => format!("locked {t}"),
    }
}

/// What a blocked thread sleeps on: `mmap_lock`, `VMA F readers`, `folio f`.
pub fn wait_text(m: &Machine, on: WaitOn) -> String {
    match on {
        WaitOn::MmapLock(_) => "mmap_lock".into(),
        WaitOn::VmaReaders(v) => format!("VMA {} readers", m.vma_name(v)),
        WaitOn::Folio(f) => format!("folio {}", m.folio_name(f)),
    }
}

/// How a branching op came out, when the state does not show it: `fails: F
/// write-locked`, `miss`. Recomputed from the state before the step.
fn outcome(m: &Machine, before: &World, t: Tid) -> Option<String> {
    let instr = m.next_instr(before, t)?;
    let th = before.thread(t);
    let text = match instr.op {
        Op::LockVmaUnderRcu { vma, .. } => {
            let why = match before.vma(vma).clone().start_read(t) {
                Ok(()) => return None,
                Err(ReadFail::WriteLocked) => "write-locked",
                Err(ReadFail::Excluded) => "writer excluding",
                Err(ReadFail::Detached) => "detached",
            };
            format!("fails: {} {why}", m.vma_name(vma))
        }
        Op::MmapReadTrylock { .. } if !before.mmap.clone().read_trylock(t) => {
            if before.mmap.writer().is_some() {
                "fails: write-held"
            } else {
                "fails: waiters queued"
            }
            .into()
        }
        Op::FolioTrylock { .. }
            if th
                .folio
                .is_some_and(|f| before.folio(f).state != FolioState::Uptodate) =>
        {
            "fails: folio locked".into()
        }
        Op::FilemapGetFolio { folio, .. } if before.folio(folio).state == FolioState::Absent => {
            "miss".into()
        }
        Op::FindVma { vma, .. } if !before.vma(vma).attached => "unmapped".into(),
        Op::IfAnonVma { .. } => {
            let has = th.vma.is_some_and(|v| before.vma(v).anon_vma);
            if has { "has anon_vma" } else { "no anon_vma" }.into()
        }
        _ => return None,
    };
    Some(text)
}

/// What a step changed, as short phrases: the outcome of a branch, then changed locks
/// and folios, flags being set, and threads that went to sleep, woke, idled or exited.
/// Objects that changed the same way are grouped (`VMA B,F unlocked`, `T1,T2 wake`).
pub fn changes(m: &Machine, before: &World, after: &World, actor: Option<Tid>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = actor {
        out.extend(outcome(m, before, t));
    }
    if before.mmap != after.mmap {
        out.push(format!("mmap_lock {}", mmap_text(after)));
    }
    let vmas = (0..m.vmas().len() as u8)
        .map(VmaId)
        .filter(|&v| before.vma(v) != after.vma(v));
    group(
        &mut out,
        vmas.map(|v| (format!("VMA {}", m.vma_name(v)), vma_text(after, v))),
    );
    for f in (0..m.folios().len() as u8).map(FolioId) {
        let (b, a) = (before.folio(f), after.folio(f));
        if b == a {
            continue;
        }
        let mut parts = Vec::new();
        if b.state != a.state {
            parts.push(folio_state(a.state));
        }
        for t in a.refs.iter().filter(|&t| !b.refs.contains(t)) {
            parts.push(format!("ref +{t}"));
        }
        for t in b.refs.iter().filter(|&t| !a.refs.contains(t)) {
            parts.push(format!("ref -{t}"));
        }
        out.push(format!("folio {} {}", m.folio_name(f), parts.join(", ")));
    }
    let mut threads = Vec::new();
    for t in m.tids() {
        let (b, a) = (before.thread(t), after.thread(t));
        // Only flags being set: clearing is bookkeeping (dead registers are dropped).
        for flag in [Flag::Tried, Flag::Major] {
            if a.has(flag) && !b.has(flag) {
                out.push(format!("{t} +{}", flag_short(flag)));
            }
        }
        let (sb, sa) = (m.status(before, t), m.status(after, t));
        let verb = match sa {
            Status::Blocked(on) if Some(t) == actor || sb != sa => {
                format!("sleeps on {}", wait_text(m, on))
            }
            Status::Idle if sb != sa => "idles".into(),
            Status::Exited if sb != sa => "exits".into(),
            Status::Ready { .. } if Some(t) != actor && sb != sa => "wakes".into(),
            _ => continue,
        };
        threads.push((t.to_string(), verb));
    }
    group(&mut out, threads.into_iter());
    for h in Hazard::ALL {
        if after.has(h) && !before.has(h) {
            out.push(format!("BUG: {}", h.describe()));
        }
    }
    out
}

/// `sleeps on x` -> `sleep on x`, for a group of threads.
fn plural(text: &str) -> String {
    match text.split_once(' ') {
        Some((verb, rest)) => format!("{} {rest}", verb.strip_suffix('s').unwrap_or(verb)),
        None => text.strip_suffix('s').unwrap_or(text).to_string(),
    }
}

/// Appends `name text` phrases, joining the names of entries with equal text.
fn group(out: &mut Vec<String>, items: impl Iterator<Item = (String, String)>) {
    let mut groups: Vec<(Vec<String>, String)> = Vec::new();
    for (name, text) in items {
        match groups.iter_mut().find(|(_, t)| *t == text) {
            Some((names, _)) => names.push(name),
            None => groups.push((vec![name], text)),
        }
    }
    for (names, text) in groups {
        let is_threads = names.iter().all(|n| n.starts_with('T'));
        let text = if names.len() > 1 && is_threads {
            plural(&text)
        } else {
            text
        };
        // `VMA B` and `VMA F` group as `VMA B,F`.
        let joined = match names[0].split_once(' ') {
            Some((kind, _)) if names.iter().all(|n| n.starts_with(kind)) && names.len() > 1 => {
                let ids: Vec<&str> = names
                    .iter()
                    .filter_map(|n| n.split_once(' '))
                    .map(|p| p.1)
                    .collect();
                format!("{kind} {}", ids.join(","))
            }
            _ => names.join(","),
        };
        out.push(format!("{joined} {text}"));
    }
}

fn flag_short(f: Flag) -> &'static str {
    match f {
        Flag::Tried => "TRIED",
        Flag::Major => "MAJOR",
    }
}
