//! The call vocabulary: one table from a kernel function name to the protocol [`Op`] it
//! compiles to. A new protocol op needs exactly one entry here.

use faultline_protocol::{FolioId, Label, Op, VmaId};

/// What a primitive's arguments are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A VMA of the scenario.
    Vma,
    /// A folio of the scenario.
    Folio,
}

/// How a primitive may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Use {
    /// A statement; it cannot fail.
    Stmt,
    /// A condition that is false when the op takes its jump (`if (!mmap_read_trylock())`).
    FailJump,
    /// A condition that is true when the op takes its jump (`if (folio_test_uptodate())`).
    TrueJump,
}

/// A primitive: the op's kernel name, arguments, use, and constructor.
pub(crate) struct OpDef {
    /// The name written in files (the op's [`Op::kernel_name`]).
    pub name: &'static str,
    /// Its arguments.
    pub args: &'static [Arg],
    /// Statement or condition.
    pub use_: Use,
    /// Builds the op from the arguments' indices and the jump target.
    pub make: fn(&[u8], Label) -> Op,
}

const V: &[Arg] = &[Arg::Vma];
const F: &[Arg] = &[Arg::Folio];

macro_rules! def {
    ($name:literal, $args:expr, $use:ident, |$a:pat_param, $l:pat_param| $op:expr) => {
        OpDef {
            name: $name,
            args: $args,
            use_: Use::$use,
            make: |$a, $l| $op,
        }
    };
}

/// Every primitive. Ops on the thread's VMA or folio handle take no argument: the
/// handle is set by `lock_vma_under_rcu`/`find_vma` and `filemap_get_folio`/readahead.
pub(crate) static OPS: &[OpDef] = &[
    def!("mmap_read_lock", &[], Stmt, |_, _| Op::MmapReadLock),
    def!("mmap_read_trylock", &[], FailJump, |_, l| {
        Op::MmapReadTrylock { fail: l }
    }),
    def!("mmap_read_unlock", &[], Stmt, |_, _| Op::MmapReadUnlock),
    def!("mmap_write_lock", &[], Stmt, |_, _| Op::MmapWriteLock),
    def!("mmap_write_unlock", &[], Stmt, |_, _| Op::MmapWriteUnlock),
    def!("mmap_write_downgrade", &[], Stmt, |_, _| {
        Op::MmapWriteDowngrade
    }),
    def!("lock_vma_under_rcu", V, FailJump, |a, l| {
        Op::LockVmaUnderRcu {
            vma: VmaId(a[0]),
            fail: l,
        }
    }),
    def!("find_vma", V, FailJump, |a, l| Op::FindVma {
        vma: VmaId(a[0]),
        missing: l
    }),
    def!("vma_end_read", &[], Stmt, |_, _| Op::VmaEndRead),
    def!("vma_start_read", &[], FailJump, |_, l| Op::VmaStartRead {
        fail: l
    }),
    def!("vma_start_write", V, Stmt, |a, _| Op::VmaStartWrite {
        vma: VmaId(a[0])
    }),
    def!("vma_mark_detached", V, Stmt, |a, _| Op::VmaMarkDetached {
        vma: VmaId(a[0])
    }),
    def!("__anon_vma_prepare", &[], Stmt, |_, _| Op::AnonVmaPrepare),
    def!("filemap_get_folio", F, FailJump, |a, l| {
        Op::FilemapGetFolio {
            folio: FolioId(a[0]),
            absent: l,
        }
    }),
    def!("do_sync_mmap_readahead", F, Stmt, |a, _| {
        Op::SyncMmapReadahead {
            folio: FolioId(a[0]),
        }
    }),
    def!("folio_test_uptodate", &[], TrueJump, |_, l| {
        Op::IfFolioUptodate { then: l }
    }),
    def!("folio_wait_locked", F, Stmt, |a, _| Op::FolioWaitLocked {
        folio: FolioId(a[0])
    }),
    def!("folio_trylock", &[], FailJump, |_, l| Op::FolioTrylock {
        fail: l
    }),
    def!("folio_lock", &[], Stmt, |_, _| Op::FolioLock),
    def!("folio_unlock", &[], Stmt, |_, _| Op::FolioUnlock),
    def!("folio_put", &[], Stmt, |_, _| Op::FolioPut),
    def!("set_pte_range", &[], Stmt, |_, _| Op::MapPte),
    def!("set_ptes", &[], Stmt, |_, _| Op::MapAnon),
    def!("vma_set_atomic_flag", &[], Stmt, |_, _| {
        Op::VmaSetMaybeGuard
    }),
    def!("guard_install_set_pte", &[], Stmt, |_, _| {
        Op::GuardInstallPte
    }),
    def!("fuse_dev_do_read", &[], Stmt, |_, _| Op::FuseDevRead),
    def!("fuse_dev_do_write", &[], Stmt, |_, _| Op::FuseDevWrite),
    def!("handle_userfault", F, FailJump, |a, l| {
        Op::HandleUserfault {
            folio: FolioId(a[0]),
            present: l,
        }
    }),
    def!("userfaultfd_read", &[], Stmt, |_, _| Op::UffdRead),
    def!("UFFDIO_COPY", &[], Stmt, |_, _| Op::UffdioCopy),
    def!("copy_page_range", V, Stmt, |a, _| Op::CopyPageRange {
        vma: VmaId(a[0])
    }),
    def!("copied", V, Stmt, |a, _| Op::CopyPageRangeEnd {
        vma: VmaId(a[0])
    }),
    def!("mmap_region", V, Stmt, |a, _| Op::MmapRegion {
        vma: VmaId(a[0])
    }),
    def!("change_protection", V, Stmt, |a, _| Op::ChangeProtection {
        vma: VmaId(a[0])
    }),
    def!("unmap_vmas", V, Stmt, |a, _| Op::UnmapVmas {
        vma: VmaId(a[0])
    }),
    def!("invalidate_inode_pages2", F, Stmt, |a, _| {
        Op::InvalidateFolio {
            folio: FolioId(a[0]),
        }
    }),
    def!("fuse_writepages", F, Stmt, |a, _| Op::FuseWritebackStart {
        folio: FolioId(a[0])
    }),
    def!("folio_test_writeback", F, TrueJump, |a, l| {
        Op::IfFolioWriteback {
            folio: FolioId(a[0]),
            then: l,
        }
    }),
    def!("fuse_wait_on_page_writeback", F, Stmt, |a, _| {
        Op::FuseWaitWriteback {
            folio: FolioId(a[0]),
        }
    }),
    def!("folio_wait_writeback", F, Stmt, |a, _| {
        Op::FolioWaitWriteback {
            folio: FolioId(a[0]),
        }
    }),
    def!("fuse_simple_request", F, Stmt, |a, _| Op::FuseRequestSend {
        folio: FolioId(a[0])
    }),
    def!("request_wait_answer", F, Stmt, |a, _| Op::FuseRequestWait {
        folio: FolioId(a[0])
    }),
    def!("nondet", &[], TrueJump, |_, l| Op::Choose { alt: l }),
];

/// The primitive called `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static OpDef> {
    OPS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_named_after_the_op_it_builds() {
        for d in OPS {
            let args = vec![0; d.args.len()];
            let op = (d.make)(&args, Label(0));
            if d.name != "nondet" {
                assert_eq!(op.kernel_name(), d.name, "{}", d.name);
            }
            assert_eq!(op.label().is_some(), d.use_ != Use::Stmt, "{}", d.name);
        }
    }
}
