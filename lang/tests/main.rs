//! faultline-lang integration tests: diagnostics a person can act on, and a mutation
//! test over the catalog files (a clean error or a valid result, never a panic or a
//! hang).
//!
//! Modules: `diagnostics`, `layout`, `mutation`.

mod diagnostics;
mod layout;
mod mutation;

/// The catalog files, prelude first (the models crate embeds the same files).
pub(crate) const FILES: &[(&str, &str)] = &[
    ("upstream.fl", include_str!("../../models/fl/upstream.fl")),
    (
        "fuse-paths.fl",
        include_str!("../../models/fl/fuse-paths.fl"),
    ),
    ("vma-retry.fl", include_str!("../../models/fl/vma-retry.fl")),
    ("hold-io.fl", include_str!("../../models/fl/hold-io.fl")),
    ("two-flag.fl", include_str!("../../models/fl/two-flag.fl")),
    ("approach3.fl", include_str!("../../models/fl/approach3.fl")),
    ("fork-fuse.fl", include_str!("../../models/fl/fork-fuse.fl")),
    (
        "tried-fuse.fl",
        include_str!("../../models/fl/tried-fuse.fl"),
    ),
    ("fork-io.fl", include_str!("../../models/fl/fork-io.fl")),
    ("writer-io.fl", include_str!("../../models/fl/writer-io.fl")),
    (
        "evict-retry.fl",
        include_str!("../../models/fl/evict-retry.fl"),
    ),
    (
        "folio-holder.fl",
        include_str!("../../models/fl/folio-holder.fl"),
    ),
    ("stale-vma.fl", include_str!("../../models/fl/stale-vma.fl")),
    (
        "lock-order.fl",
        include_str!("../../models/fl/lock-order.fl"),
    ),
    ("fork-copy.fl", include_str!("../../models/fl/fork-copy.fl")),
    (
        "many-faults.fl",
        include_str!("../../models/fl/many-faults.fl"),
    ),
    (
        "mmap-first.fl",
        include_str!("../../models/fl/mmap-first.fl"),
    ),
    (
        "retry-hard.fl",
        include_str!("../../models/fl/retry-hard.fl"),
    ),
    (
        "reader-chain.fl",
        include_str!("../../models/fl/reader-chain.fl"),
    ),
    ("kernel-h2.fl", include_str!("../../models/fl/kernel-h2.fl")),
    ("kernel-wb.fl", include_str!("../../models/fl/kernel-wb.fl")),
];

/// The whole catalog, or the first file's rendered error.
pub(crate) fn catalog() -> faultline_lang::Compiler {
    let mut c = faultline_lang::Compiler::new();
    for (name, text) in FILES {
        if let Err(e) = c.load(name, text) {
            panic!("{}", e.render());
        }
    }
    c
}
