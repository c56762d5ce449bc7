//! The kernel test cases: what `fltest` runs in the guest, and which model scenario
//! (with knobs) mirrors it step by step. The `kernel` knob is added per kernel.

use crate::error::ReproError;

/// One test case.
#[derive(Debug)]
pub struct Case {
    /// Name (`h2`, `h2-noevict`).
    pub name: &'static str,
    /// What it shows.
    pub title: &'static str,
    /// `fltest` arguments in the guest.
    pub args: &'static str,
    /// The model scenario that mirrors it.
    pub scenario: &'static str,
    /// Knobs besides `kernel`.
    pub sets: &'static [(&'static str, &'static str)],
    /// Model thread name -> test thread role (the `fl-ROLE` comm).
    pub roles: &'static [(&'static str, &'static str)],
    /// The model threads the kernel showed stuck in its hang (the recorded runs), empty
    /// for a control: the model deadlock state a hang must match, and the one the
    /// README's table reports.
    pub stuck: &'static [&'static str],
}

/// The kernels the harness boots: (knob value, what `repro/kernels.sh` fetches).
pub static KERNELS: &[&str] = &["6.1", "6.12"];

/// Newer kernels the harness can boot (`repro/run --kernel 7.2`) and the `kernel` knob
/// value the model judges them with. They are not in the README's table.
pub static NEWER: &[(&str, &str)] = &[
    ("6.18", "newest"),
    ("6.19", "newest"),
    ("7.2", "newest"),
    ("7.3", "newest"),
    ("7.3-rc", "newest"),
];

/// The newer Debian kernels `repro/run` boots by default (and the README's table names);
/// the newest of them is the one `kernel=newest` is checked against.
pub static BOOTED: &[&str] = &["7.2", "7.3"];

/// The `kernel` knob value for a harness kernel name (`7.2` -> `newest`).
pub fn knob_of(kernel: &str) -> &str {
    NEWER
        .iter()
        .find(|(k, _)| *k == kernel)
        .map_or(kernel, |(_, v)| *v)
}

const H2_ROLES: &[(&str, &str)] = &[
    ("fault", "T1"),
    ("evict", "W"),
    ("mprotect", "W2"),
    ("collapse", "W2"),
    ("stack", "M"),
    ("fuse", "S"),
    ("daemon", "D"),
];
const WB_ROLES: &[(&str, &str)] = &[
    ("fault", "T1"),
    ("mprotect", "W"),
    ("writer", "W"),
    ("fork", "W"),
    ("fuse", "S"),
    ("sync", "M"),
];

/// WB's cycle: the mkwrite fault, the VMA's writer, the server.
const WB_STUCK: &[&str] = &["fault", "writer", "fuse"];

/// wb-dio's cycle (6.16 and later): the invalidation waiting for the page's writeback
/// under mmap_write_lock, the server's GUP.
const WB_DIO_STUCK: &[&str] = &["writer", "fuse"];

const MC_ROLES: &[(&str, &str)] = &[("munmap", "U"), ("writer", "W"), ("fuse", "S")];
/// Rule 22's cycle: munmap's read hold waiting for the writeback, the queued writer,
/// the server's GUP.
const MC_STUCK: &[&str] = &["munmap", "writer", "fuse"];

const FF_ROLES: &[(&str, &str)] = &[("fault", "T1"), ("fork", "W"), ("fuse", "S")];
/// H1's cycle: the fault holding F's lock across the read, fork, the server's GUP.
const FF_STUCK: &[&str] = &["fault", "fork", "fuse"];

const UW_ROLES: &[(&str, &str)] = &[
    ("mkwrite", "T1"),
    ("reader", "T2"),
    ("fuse", "S"),
    ("sync", "M"),
];
/// UW's cycle: the mkwrite holding f's lock across writeback, the kernel-mode fault
/// waiting for f's lock under mmap_read_lock, the server's mmap.
const UW_STUCK: &[&str] = &["mkwrite", "reader", "fuse"];

/// Every case, in run order.
pub static CASES: &[Case] = &[
    Case {
        name: "h2",
        title: "H2: TRIED retry re-reads under mmap_read_lock, writer queues, server GUPs",
        args: "h2 -e diommap -w 1 -s inproc",
        scenario: "kernel-h2",
        sets: &[],
        roles: H2_ROLES,
        stuck: &["fault", "mprotect", "fuse"],
    },
    Case {
        name: "h2-noevict",
        title: "H2 control: no eviction",
        args: "h2 -e none -w 1 -s inproc",
        scenario: "kernel-h2",
        sets: &[("eviction", "none")],
        roles: H2_ROLES,
        stuck: &[],
    },
    Case {
        name: "h2-nowriter",
        title: "H2 control: no writer",
        args: "h2 -e diommap -w 0 -s inproc",
        scenario: "kernel-h2",
        sets: &[("writer", "none")],
        roles: H2_ROLES,
        stuck: &[],
    },
    Case {
        name: "h2-collapse",
        title: "H2 with MADV_COLLAPSE as the writer (collapse_huge_page's mmap_write_lock)",
        args: "h2 -e diommap -w 1 -W collapse -s inproc",
        scenario: "kernel-h2",
        sets: &[("writer", "madv-collapse")],
        roles: H2_ROLES,
        stuck: &["fault", "collapse", "fuse"],
    },
    Case {
        name: "h2-stack",
        title: "H2 with the main thread's stack expansion as the writer",
        args: "h2 -e diommap -w 1 -W stack -s inproc",
        scenario: "kernel-h2",
        sets: &[("writer", "stack-expansion")],
        roles: H2_ROLES,
        stuck: &["fault", "stack", "fuse"],
    },
    Case {
        name: "proc",
        title: "PROC: H2 with a daemon process reading /proc/<caller>/cmdline",
        args: "h2 -e diommap -w 1 -s proc",
        scenario: "kernel-h2",
        sets: &[("daemon", "proc-cmdline")],
        roles: H2_ROLES,
        stuck: &["fault", "mprotect", "daemon"],
    },
    Case {
        name: "proc-noevict",
        title: "PROC control: no eviction",
        args: "h2 -e none -w 1 -s proc",
        scenario: "kernel-h2",
        sets: &[("daemon", "proc-cmdline"), ("eviction", "none")],
        roles: H2_ROLES,
        stuck: &[],
    },
    Case {
        name: "proc-quiet",
        title: "PROC control: the daemon does not read /proc",
        args: "h2 -e diommap -w 1 -s proc-quiet",
        scenario: "kernel-h2",
        sets: &[("daemon", "quiet")],
        roles: H2_ROLES,
        stuck: &[],
    },
    Case {
        name: "wb",
        title: "WB: fuse_page_mkwrite waits for writeback under the fault lock",
        args: "wb -b cold -w 1",
        scenario: "kernel-wb",
        sets: &[],
        roles: WB_ROLES,
        stuck: WB_STUCK,
    },
    Case {
        name: "wb-mlock",
        title: "WB with mlock of the faulting VMA as the writer",
        args: "wb -b cold -w 1 -m mlock",
        scenario: "kernel-wb",
        sets: &[("writer", "mlock")],
        roles: WB_ROLES,
        stuck: WB_STUCK,
    },
    Case {
        name: "wb-madvise",
        title: "WB with madvise(MADV_DONTFORK) of the faulting VMA as the writer",
        args: "wb -b cold -w 1 -m madvise",
        scenario: "kernel-wb",
        sets: &[("writer", "madvise")],
        roles: WB_ROLES,
        stuck: WB_STUCK,
    },
    Case {
        name: "wb-mremap",
        title: "WB with a shrinking mremap of the faulting VMA as the writer",
        args: "wb -b cold -w 1 -m mremap",
        scenario: "kernel-wb",
        sets: &[("writer", "mremap")],
        roles: WB_ROLES,
        stuck: WB_STUCK,
    },
    Case {
        name: "wb-dio",
        title: "WB without the fault: a FOPEN_DIRECT_IO mmap's invalidation waits for writeback",
        args: "wb -b cold -w 1 -m diommap -f 0",
        scenario: "kernel-wb",
        sets: &[("writer", "dio-mmap"), ("fault", "none")],
        roles: WB_ROLES,
        stuck: WB_DIO_STUCK,
    },
    Case {
        name: "wb-nowriter",
        title: "WB control: no writer",
        args: "wb -b cold -w 0",
        scenario: "kernel-wb",
        sets: &[("writer", "none")],
        roles: WB_ROLES,
        stuck: &[],
    },
    Case {
        name: "wb-warm",
        title: "WB control: the server's buffer is pre-faulted",
        args: "wb -b warm -w 1",
        scenario: "kernel-wb",
        sets: &[("buffer", "warm")],
        roles: WB_ROLES,
        stuck: &[],
    },
    Case {
        name: "ff",
        title: "H1: fork while an in-process FUSE server's READ is pending, MAP_PRIVATE writable",
        args: "ff -m private-rw -s cold",
        scenario: "kernel-ff",
        sets: &[("mapping", "private")],
        roles: FF_ROLES,
        stuck: FF_STUCK,
    },
    Case {
        name: "ff-ro",
        title: "H1 on a read-only MAP_PRIVATE mapping",
        args: "ff -m private -s cold",
        scenario: "kernel-ff",
        sets: &[("mapping", "private-readonly")],
        roles: FF_ROLES,
        stuck: FF_STUCK,
    },
    Case {
        name: "ff-shared",
        title: "H1 on a MAP_SHARED mapping",
        args: "ff -m shared -s cold",
        scenario: "kernel-ff",
        sets: &[("mapping", "shared")],
        roles: FF_ROLES,
        stuck: FF_STUCK,
    },
    Case {
        name: "ff-kernel",
        title: "H1 with a kernel-mode fault (write() from the mapping): the fault starts under mmap_lock",
        args: "ff -m private-rw -s cold -f kernel",
        scenario: "kernel-ff",
        sets: &[("mapping", "private"), ("fault-origin", "kernel")],
        roles: FF_ROLES,
        stuck: FF_STUCK,
    },
    Case {
        name: "uw",
        title: "UW: a kernel-mode fault waits for an uptodate folio under FUSE writeback, server mmaps",
        args: "uw -s mmap -T 20",
        scenario: "uptodate-wb",
        sets: &[],
        roles: UW_ROLES,
        stuck: UW_STUCK,
    },
    Case {
        name: "uw-nommap",
        title: "UW control: the server reads the WRITE at once",
        args: "uw -s none",
        scenario: "uptodate-wb",
        sets: &[("server", "none")],
        roles: UW_ROLES,
        stuck: &[],
    },
    Case {
        name: "mc",
        title: "Rule 22: munmap waits for FUSE writeback in fuse_vma_close under mmap_read_lock, a writer queued",
        args: "mc -b cold -w 1",
        scenario: "munmap-close",
        sets: &[],
        roles: MC_ROLES,
        stuck: MC_STUCK,
    },
    Case {
        name: "mc-wbc",
        title: "Rule 22 with FUSE_WRITEBACK_CACHE",
        args: "mc -b cold -w 1 -c 1",
        scenario: "munmap-close",
        sets: &[("writeback-cache", "on")],
        roles: MC_ROLES,
        stuck: MC_STUCK,
    },
    Case {
        name: "mc-warm",
        title: "Rule 22 control: the server's buffer is pre-faulted",
        args: "mc -b warm -w 1",
        scenario: "munmap-close",
        sets: &[("buffer", "warm")],
        roles: MC_ROLES,
        stuck: &[],
    },
    Case {
        name: "mc-nowriter",
        title: "Rule 22 control: no writer queued on mmap_lock",
        args: "mc -b cold -w 0",
        scenario: "munmap-close",
        sets: &[("writer", "none")],
        roles: MC_ROLES,
        stuck: &[],
    },
];

/// The case named `name`.
pub fn case(name: &str) -> Result<&'static Case, ReproError> {
    CASES
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| ReproError::UnknownCase {
            name: name.to_string(),
            valid: CASES.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
        })
}

impl Case {
    /// The test role of a model thread.
    pub fn role(&self, thread: &str) -> Option<&'static str> {
        self.roles
            .iter()
            .find(|(t, _)| *t == thread)
            .map(|(_, r)| *r)
    }
}
