//! The step semantics of each op: what one instruction does to the world.

use crate::error::ModelError;
use crate::folio::{Backend, FolioState};
use crate::ids::{FolioId, ThreadSet, Tid};
use crate::program::Op;
use crate::rwsem::Acquire;
use crate::world::World;

use super::Machine;

impl Machine {
    /// Executes thread `t`'s instruction in place (without settling).
    pub(super) fn exec(&self, w: &mut World, t: Tid, choice: u8) -> Result<(), ModelError> {
        let spec = &self.threads[t.index()];
        let prog = &spec.program;
        let pc = w.thread(t).pc;
        let Some(&instr) = prog.get(pc) else {
            return Err(ModelError::NotEnabled {
                step: format!("t{}", t.0),
            });
        };
        let misuse = |reason| ModelError::Misuse {
            thread: self.thread_label(t),
            site: instr.site,
            op: instr.op.kernel_name(),
            reason,
        };
        let ti = t.index();
        let mut next = pc + 1;
        match instr.op {
            Op::MmapReadLock | Op::MmapWriteLock if w.mmap.held_by(t) => {
                return Err(misuse("mmap_lock is already held by this thread"));
            }
            Op::MmapReadLock => {
                if w.mmap.down_read(t, self.admission) == Acquire::Queued {
                    next = pc; // sleeps; rwsem_mark_wake moves it on when granted
                }
            }
            Op::MmapReadTrylock { fail } => {
                if !w.mmap.read_trylock(t) {
                    next = prog.target(fail);
                }
            }
            Op::MmapReadUnlock => {
                let granted = w
                    .mmap
                    .up_read(t)
                    .ok_or_else(|| misuse("mmap_lock not read-held"))?;
                self.advance_granted(w, granted)?;
            }
            Op::MmapWriteLock => {
                if w.mmap.position(t).is_some() {
                    w.mmap.take_queued_write(t);
                } else if w.mmap.down_write(t, self.admission) == Acquire::Queued {
                    next = pc;
                }
            }
            Op::MmapWriteUnlock => {
                // mmap_write_unlock: vma_end_write_all, then up_write.
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("mmap_lock not write-held"));
                }
                end_all_vma_write_locks(w, self.shape.vmas);
                let granted = w.mmap.up_write(t).ok_or_else(|| misuse("not the writer"))?;
                self.advance_granted(w, granted)?;
            }
            Op::MmapWriteDowngrade => {
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("mmap_lock not write-held"));
                }
                end_all_vma_write_locks(w, self.shape.vmas);
                let granted = w
                    .mmap
                    .downgrade(t)
                    .ok_or_else(|| misuse("not the writer"))?;
                self.advance_granted(w, granted)?;
            }
            Op::LockVmaUnderRcu { vma, fail } => {
                if w.vmas[..self.shape.vmas]
                    .iter()
                    .any(|v| v.readers.contains(t))
                {
                    return Err(misuse("already holds a VMA read lock"));
                }
                match w.vmas[vma.index()].start_read(t) {
                    Ok(()) => w.threads[ti].vma = Some(vma),
                    Err(_) => next = prog.target(fail),
                }
            }
            Op::FindVma { vma, missing } => {
                if !w.mmap.held_by(t) {
                    return Err(misuse("find_vma without mmap_lock"));
                }
                if w.vma(vma).attached {
                    w.threads[ti].vma = Some(vma);
                } else {
                    w.threads[ti].vma = None;
                    next = prog.target(missing);
                }
            }
            Op::VmaEndRead => {
                let v = w.thread(t).vma.ok_or_else(|| misuse("no VMA handle"))?;
                if !w.vmas[v.index()].end_read(t) {
                    return Err(misuse("VMA not read-locked by this thread"));
                }
                w.threads[ti].vma = None;
            }
            Op::VmaStartWrite { vma } => {
                // __is_vma_write_locked -> mmap_assert_write_locked.
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("vma_start_write without the mmap_lock write hold"));
                }
                if !w.vmas[vma.index()].start_write(t) {
                    next = pc; // excluding readers now; waits for those inside
                }
            }
            Op::VmaMarkDetached { vma } => {
                let v = &mut w.vmas[vma.index()];
                if w.mmap.writer() != Some(t) || !v.write_locked {
                    return Err(misuse("vma_mark_detached on a VMA not write-locked"));
                }
                v.attached = false;
            }
            Op::IfAnonVma { then } => {
                let v = w.thread(t).vma.ok_or_else(|| misuse("no VMA handle"))?;
                if w.vma(v).anon_vma {
                    next = prog.target(then);
                }
            }
            Op::AnonVmaPrepare => {
                let v = w.thread(t).vma.ok_or_else(|| misuse("no VMA handle"))?;
                if !w.mmap.held_by(t) {
                    return Err(misuse("__anon_vma_prepare without mmap_lock"));
                }
                w.vmas[v.index()].anon_vma = true;
            }
            Op::FilemapGetFolio { folio, absent } => {
                if w.folio(folio).state == FolioState::Absent {
                    next = prog.target(absent);
                } else {
                    take_ref(w, t, folio).map_err(misuse)?;
                }
            }
            Op::SyncMmapReadahead { folio } => {
                if w.folio(folio).state == FolioState::Absent {
                    let backend = self.folios[folio.index()].backend;
                    w.folios[folio.index()].state = FolioState::ReadIo {
                        backend,
                        claimed: false,
                    };
                }
                take_ref(w, t, folio).map_err(misuse)?;
            }
            Op::FolioTrylock { fail } => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if w.folio(f).state == FolioState::Uptodate {
                    w.folios[f.index()].state = FolioState::Locked(t);
                } else {
                    next = prog.target(fail);
                }
            }
            Op::FolioLock => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                w.folios[f.index()].state = FolioState::Locked(t);
            }
            Op::FolioUnlock => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if w.folio(f).state != FolioState::Locked(t) {
                    return Err(misuse("folio not locked by this thread"));
                }
                w.folios[f.index()].state = FolioState::Uptodate;
            }
            Op::FolioPut => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no folio reference"))?;
                if w.folio(f).state == FolioState::Locked(t) {
                    return Err(misuse("folio_put while holding the folio lock"));
                }
                w.folios[f.index()].refs.remove(t);
                w.threads[ti].folio = None;
            }
            Op::MapPte | Op::MapAnon => {
                let v = w.thread(t).vma.ok_or_else(|| misuse("no VMA handle"))?;
                if !(w.vma(v).readers.contains(t) || w.mmap.held_by(t)) {
                    return Err(misuse("maps a PTE without the VMA or mmap_lock held"));
                }
                if instr.op == Op::MapAnon && !w.vma(v).anon_vma {
                    return Err(misuse("maps an anon page before vmf_anon_prepare"));
                }
                let folio_locked = w
                    .thread(t)
                    .folio
                    .is_some_and(|f| w.folio(f).state == FolioState::Locked(t));
                if instr.op == Op::MapPte && !folio_locked {
                    return Err(misuse("maps a file folio it has not locked"));
                }
            }
            Op::FuseDevRead => {
                let f = self
                    .pending_fuse(w)
                    .nth(usize::from(choice))
                    .ok_or_else(|| ModelError::NotEnabled {
                        step: format!("t{}.{choice}", t.0),
                    })?;
                w.folios[f.index()].state = FolioState::ReadIo {
                    backend: Backend::Fuse,
                    claimed: true,
                };
                w.threads[ti].folio = Some(f);
            }
            Op::FuseDevWrite => {
                let f = w
                    .thread(t)
                    .folio
                    .ok_or_else(|| misuse("no request taken"))?;
                if w.folio(f).state
                    != (FolioState::ReadIo {
                        backend: Backend::Fuse,
                        claimed: true,
                    })
                {
                    return Err(misuse("replies to a request it did not take"));
                }
                w.folios[f.index()].state = FolioState::Uptodate;
                w.threads[ti].folio = None;
            }
            Op::CopyPageRange { .. } => {
                if w.mmap.writer() != Some(t) {
                    return Err(misuse("dup_mmap without the mmap_lock write hold"));
                }
            }
            Op::ChangeProtection { vma } => {
                if w.mmap.writer() != Some(t) || !w.vma(vma).write_locked {
                    return Err(misuse("changes a VMA that is not write-locked"));
                }
            }
            Op::UnmapVmas { .. } => {
                if !w.mmap.held_by(t) {
                    return Err(misuse("unmap_vmas without mmap_lock"));
                }
            }
            Op::SetFlag(flag) => w.threads[ti].set(flag, true),
            Op::ClearFlag(flag) => w.threads[ti].set(flag, false),
            Op::IfFlag { flag, then } => {
                if w.thread(t).has(flag) {
                    next = prog.target(then);
                }
            }
            Op::Goto(l) => next = prog.target(l),
            Op::Choose { alt } => {
                if choice == 1 {
                    next = prog.target(alt);
                }
            }
            Op::Exit => {
                next = prog.exit_pc();
                // Registers are dead after exit: clearing them keeps states canonical.
                let th = &mut w.threads[ti];
                th.flags = 0;
                th.vma = None;
                th.folio = None;
            }
        }
        w.threads[ti].pc = next;
        Ok(())
    }

    /// Readers granted by `rwsem_mark_wake` return from `mmap_read_lock`.
    fn advance_granted(&self, w: &mut World, granted: ThreadSet) -> Result<(), ModelError> {
        for g in granted.iter() {
            w.threads[g.index()].pc += 1;
            self.settle(w, g)?;
        }
        Ok(())
    }
}

fn end_all_vma_write_locks(w: &mut World, vmas: usize) {
    for v in &mut w.vmas[..vmas] {
        v.end_write();
    }
}

fn take_ref(w: &mut World, t: Tid, f: FolioId) -> Result<(), &'static str> {
    if w.thread(t).folio.is_some() {
        return Err("already holds a folio reference");
    }
    w.folios[f.index()].refs.insert(t);
    w.threads[t.index()].folio = Some(f);
    Ok(())
}
