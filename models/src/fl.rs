//! The catalog as `.fl` text, embedded: the upstream prelude, the designs, then the
//! scenarios (a file may only name designs loaded before it).

/// `(file name, text)` in load order.
pub const CATALOG_FILES: &[(&str, &str)] = &[
    ("upstream.fl", include_str!("../fl/upstream.fl")),
    ("fuse-paths.fl", include_str!("../fl/fuse-paths.fl")),
    ("vma-retry.fl", include_str!("../fl/vma-retry.fl")),
    ("hold-io.fl", include_str!("../fl/hold-io.fl")),
    ("two-flag.fl", include_str!("../fl/two-flag.fl")),
    ("approach3.fl", include_str!("../fl/approach3.fl")),
    ("fork-fuse.fl", include_str!("../fl/fork-fuse.fl")),
    ("tried-fuse.fl", include_str!("../fl/tried-fuse.fl")),
    ("fork-io.fl", include_str!("../fl/fork-io.fl")),
    ("writer-io.fl", include_str!("../fl/writer-io.fl")),
    ("evict-retry.fl", include_str!("../fl/evict-retry.fl")),
    ("folio-holder.fl", include_str!("../fl/folio-holder.fl")),
    ("stale-vma.fl", include_str!("../fl/stale-vma.fl")),
    ("lock-order.fl", include_str!("../fl/lock-order.fl")),
    ("fork-copy.fl", include_str!("../fl/fork-copy.fl")),
    ("fork-guard.fl", include_str!("../fl/fork-guard.fl")),
    ("many-faults.fl", include_str!("../fl/many-faults.fl")),
    ("mmap-first.fl", include_str!("../fl/mmap-first.fl")),
    ("retry-hard.fl", include_str!("../fl/retry-hard.fl")),
    ("reader-chain.fl", include_str!("../fl/reader-chain.fl")),
    ("kernel-h2.fl", include_str!("../fl/kernel-h2.fl")),
    ("kernel-wb.fl", include_str!("../fl/kernel-wb.fl")),
    ("kernel-ff.fl", include_str!("../fl/kernel-ff.fl")),
    ("uptodate-wb.fl", include_str!("../fl/uptodate-wb.fl")),
    ("munmap-close.fl", include_str!("../fl/munmap-close.fl")),
];
