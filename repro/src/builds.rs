//! The kernels built from source (`repro/build.sh`): Debian's linux-source-7.2 with a
//! patch series (`repro/patches/SERIES/series`), and the catalog design and knobs the
//! model judges each with. This is the one table from patch series to model design.

/// One kernel built from source.
#[derive(Debug)]
pub struct Build {
    /// The patch series folder (`v2`), or `stock` for none: `faultline repro --design`.
    pub series: &'static str,
    /// What it is, and where it was posted.
    pub title: &'static str,
    /// The catalog design the model judges it with.
    pub design: &'static str,
    /// That design's knobs (besides the case's and `kernel`).
    pub sets: &'static [(&'static str, &'static str)],
}

/// Every build, in the README's column order.
pub static BUILDS: &[Build] = &[
    Build {
        series: "stock",
        title: "7.2 as Debian ships it",
        design: "upstream",
        sets: &[],
    },
    Build {
        series: "v2",
        title: "v2 1-5/5 (20260430040427.4672-1-baohua@kernel.org): retry under the VMA lock, wait if uptodate",
        design: "vma-retry",
        sets: &[],
    },
    Build {
        series: "v2-not-writeback",
        title: "v2 1-5/5 plus Wilcox's !folio_test_writeback in 4/5 and 5/5 (afTQl12XcXVnku9J@casper.infradead.org, never posted as code)",
        design: "vma-retry",
        sets: &[("wait-if-uptodate", "not-writeback")],
    },
    Build {
        series: "retry-hard",
        title: "VM_FAULT_RETRY_HARD draft (20260522023305.98223-1-baohua@kernel.org)",
        design: "two-flag",
        sets: &[],
    },
    // Both hold under mmap_lock and the VMA lock alike, as the catalog's P3 designs do.
    Build {
        series: "file-only",
        title: "file faults hold their lock across I/O (Josef's variant, never posted)",
        design: "hold-file",
        sets: &[],
    },
    Build {
        series: "rip-out",
        title: "no fault drops its lock for I/O (Willy's rip-out, never posted)",
        design: "hold-io",
        sets: &[],
    },
    Build {
        series: "fork-predicate",
        title: "file-only plus Barry's dup_mmap predicate (CAGsJ_4ysMcrmDLSOwBkf7qwCQrcDWeEMXkHDajTJFMLKUk0bSQ@mail.gmail.com)",
        design: "hold-file",
        sets: &[("fork-lock", "anon-write")],
    },
];

/// The build of a series.
pub fn build_of(series: &str) -> Option<&'static Build> {
    BUILDS.iter().find(|b| b.series == series)
}

/// The stock kernel: Debian's packages, judged with the `upstream` design.
pub static STOCK: Build = Build {
    series: "debian",
    title: "Debian's kernel package",
    design: "upstream",
    sets: &[],
};

/// A disagreement of a design's kernel with the model that is understood: the model's
/// nearest design cannot express what the patch does. The run passes only while the
/// kernel does exactly this (`observed`); the README lists them with the reason.
#[derive(Debug)]
pub struct Known {
    /// The patch series.
    pub series: &'static str,
    /// The case.
    pub case: &'static str,
    /// What the kernel does (`HANG`, `COMPLETE`).
    pub observed: &'static str,
    /// Why the model says otherwise.
    pub why: &'static str,
}

/// Every understood disagreement. Empty since the catalog has the designs as the
/// patches build them: the rip-out holds under mmap_lock too (`hold-under=both`) and
/// Barry's predicate is `fork-lock=anon-write` on a `readonly` VMA.
pub static KNOWN: &[Known] = &[];

/// The understood disagreement of `series` on `case`, if any.
pub fn known(series: &str, case: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|k| k.series == series && k.case == case)
}
