//! Words for steps and object states, shared by the text, JSON and DOT renderings.

use faultline_protocol::{
    Backend, Flag, FolioId, FolioState, Machine, Mode, Op, ReadFail, Status, Step, Tid, VmaId,
    WaitOn, World,
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
                | Op::ChangeProtection { vma: v }
                | Op::UnmapVmas { vma: v } => Some(vma(v)),
                Op::VmaEndRead | Op::AnonVmaPrepare | Op::IfAnonVma { .. } => th.vma.map(vma),
                Op::FilemapGetFolio { folio: f, .. } | Op::SyncMmapReadahead { folio: f } => {
                    Some(folio(Some(f)))
                }
                Op::FolioTrylock { .. } | Op::FolioLock | Op::FolioUnlock | Op::FolioPut => {
                    Some(folio(th.folio))
                }
                Op::MapPte | Op::MapAnon => th.vma.map(vma),
                Op::FuseDevWrite => Some(folio(th.folio)),
                Op::FuseDevRead => Some(folio(fuse_pick(m, before, choice))),
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

fn fuse_pick(m: &Machine, w: &World, choice: u8) -> Option<FolioId> {
    (0..m.folios().len() as u8)
        .map(FolioId)
        .filter(|&f| {
            w.folio(f).state
                == FolioState::ReadIo {
                    backend: Backend::Fuse,
                    claimed: false,
                }
        })
        .nth(usize::from(choice))
}

/// `mmap_lock` state: `free`, `W T1`, `R {T0,T2}`, then `queue [T1w T2r]`, `handoff`.
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
        s += &format!(", queue [{}]", q.join(" "));
    }
    if l.handoff() {
        s += ", handoff";
    }
    s
}

/// A VMA's lock state: `unlocked`, `R {T0}`, `write-locked`, `T1 excluding, R {T0}`,
/// `detached`, with `anon_vma` when set.
pub fn vma_text(w: &World, v: VmaId) -> String {
    let s = w.vma(v);
    let mut t = if !s.attached {
        "detached".to_string()
    } else if s.write_locked {
        "write-locked".to_string()
    } else if let Some(x) = s.excluding {
        format!("{x} excluding readers, R {}", s.readers)
    } else if !s.readers.is_empty() {
        format!("R {}", s.readers)
    } else {
        "unlocked".to_string()
    };
    if s.anon_vma {
        t += ", anon_vma";
    }
    t
}

/// A folio's state: `absent`, `uptodate`, `read I/O by disk`, `read I/O by FUSE
/// (queued)`, `locked by T0`, with `refs {..}`.
pub fn folio_text(w: &World, f: FolioId) -> String {
    let s = w.folio(f);
    let mut t = match s.state {
        FolioState::Absent => "absent".to_string(),
        FolioState::Uptodate => "uptodate".to_string(),
        FolioState::ReadIo {
            backend: Backend::Disk,
            ..
        } => "read I/O by disk".to_string(),
        FolioState::ReadIo {
            backend: Backend::Fuse,
            claimed: false,
        } => "read I/O by FUSE (queued)".to_string(),
        FolioState::ReadIo {
            backend: Backend::Fuse,
            claimed: true,
        } => "read I/O by FUSE (served)".to_string(),
        FolioState::Locked(t) => format!("locked by {t}"),
    };
    if !s.refs.is_empty() {
        t += &format!(", refs {}", s.refs);
    }
    t
}

/// What a thread is doing, for traces: `runs`, `sleeps in mmap_read_lock`, `idle`, `exited`.
pub fn status_text(m: &Machine, w: &World, t: Tid) -> String {
    match m.status(w, t) {
        Status::Ready { .. } => "runs".into(),
        Status::Blocked(on) => format!("sleeps in {}", wait_text(m, on)),
        Status::Idle => "idle".into(),
        Status::Exited => "exited".into(),
    }
}

/// The wait a blocked thread is in: `mmap_read_lock`, `vma_start_write(F)`, `folio_lock(f)`.
pub fn wait_text(m: &Machine, on: WaitOn) -> String {
    match on {
        WaitOn::MmapLock(Mode::Read) => "mmap_read_lock".into(),
        WaitOn::MmapLock(Mode::Write) => "mmap_write_lock".into(),
        WaitOn::VmaReaders(v) => format!("vma_start_write({})", m.vma_name(v)),
        WaitOn::Folio(f) => format!("folio_lock({})", m.folio_name(f)),
    }
}

/// How a branching op came out, when the state does not show it: `fails: VMA F
/// write-locked`, `page-cache miss`. Recomputed from the state before the step.
fn outcome(m: &Machine, before: &World, t: Tid) -> Option<String> {
    let instr = m.next_instr(before, t)?;
    let th = before.thread(t);
    match instr.op {
        Op::LockVmaUnderRcu { vma, .. } => {
            let why = match before.vma(vma).clone().start_read(t) {
                Ok(()) => return None,
                Err(ReadFail::WriteLocked) => "write-locked",
                Err(ReadFail::Excluded) => "has a writer excluding readers",
                Err(ReadFail::Detached) => "detached",
            };
            Some(format!("fails: VMA {} {why}", m.vma_name(vma)))
        }
        Op::MmapReadTrylock { .. } if !before.mmap.clone().read_trylock(t) => {
            Some("fails: mmap_lock held or waiters queued".into())
        }
        Op::FolioTrylock { .. }
            if th
                .folio
                .is_some_and(|f| before.folio(f).state != FolioState::Uptodate) =>
        {
            Some("fails: folio locked".into())
        }
        Op::FilemapGetFolio { folio, .. } if before.folio(folio).state == FolioState::Absent => {
            Some("page-cache miss".into())
        }
        Op::FindVma { vma, .. } if !before.vma(vma).attached => Some("no VMA: unmapped".into()),
        Op::IfAnonVma { .. } => {
            let has = th.vma.is_some_and(|v| before.vma(v).anon_vma);
            Some(
                if has {
                    "anon_vma present"
                } else {
                    "no anon_vma"
                }
                .into(),
            )
        }
        _ => None,
    }
}

/// What a step changed, one short phrase per changed object.
pub fn changes(m: &Machine, before: &World, after: &World, actor: Option<Tid>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = actor {
        out.extend(outcome(m, before, t));
    }
    if before.mmap != after.mmap {
        out.push(format!("mmap_lock: {}", mmap_text(after)));
    }
    for i in 0..m.vmas().len() as u8 {
        let v = VmaId(i);
        if before.vma(v) != after.vma(v) {
            out.push(format!("VMA {}: {}", m.vma_name(v), vma_text(after, v)));
        }
    }
    for i in 0..m.folios().len() as u8 {
        let f = FolioId(i);
        if before.folio(f) != after.folio(f) {
            out.push(format!(
                "folio {}: {}",
                m.folio_name(f),
                folio_text(after, f)
            ));
        }
    }
    for t in m.tids() {
        let (b, a) = (before.thread(t), after.thread(t));
        // Only flags being set: clearing is bookkeeping (dead registers are dropped).
        for flag in [Flag::Tried, Flag::Major] {
            if a.has(flag) && !b.has(flag) {
                out.push(format!("{t} +{}", flag_short(flag)));
            }
        }
        let (sb, sa) = (m.status(before, t), m.status(after, t));
        let shown = if Some(t) == actor {
            !matches!(sa, Status::Ready { .. })
        } else {
            sb != sa
        };
        if shown {
            out.push(format!("{t} {}", status_text(m, after, t)));
        }
    }
    out
}

fn flag_short(f: Flag) -> &'static str {
    match f {
        Flag::Tried => "TRIED",
        Flag::Major => "MAJOR",
    }
}
