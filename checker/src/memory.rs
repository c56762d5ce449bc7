//! The machine's memory budget: how many bytes the state store may really have. The
//! smallest room left under the cgroup's limit (`memory.max`, v1
//! `memory.limit_in_bytes`), `RLIMIT_AS` and `RLIMIT_DATA` (`ulimit -v`, `ulimit -d`)
//! and `MemAvailable`, less headroom for everything else the process maps; halved by
//! default, or `--max-memory` up to that room. Every command and the library take
//! their budget from here, once, so the budget printed is the one enforced.
//!
//! The limits are read from `/proc` and `/sys/fs/cgroup` rather than through
//! `getrlimit` because the workspace forbids `unsafe`; off Linux only `--max-memory`
//! and [`FALLBACK`] apply.

use std::fmt;
use std::path::{Path, PathBuf};

/// Left for code, stacks, allocator arenas and the progress thread.
pub(crate) const HEADROOM: u64 = 128 << 20;

/// Address space one more thread reserves under `RLIMIT_AS`: glibc's 64 MiB malloc
/// arena and a 2 MiB stack.
pub(crate) const PER_THREAD: u64 = 66 << 20;

/// The budget where no limit can be read (not Linux): 8 GiB.
pub(crate) const FALLBACK: u64 = 8 << 30;

/// One limit on memory and the room it leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    /// Where it comes from: `RLIMIT_AS (ulimit -v)`, `cgroup memory.max`, ...
    pub source: &'static str,
    /// Bytes still available under it.
    pub bytes: u64,
}

/// The store's byte budget and the limit that set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryBudget {
    /// Bytes the state store may hold.
    pub bytes: u64,
    /// The tightest limit of the machine (`None`: none could be read).
    pub from: Option<Room>,
    /// `--max-memory`, when given.
    pub requested: Option<u64>,
    /// Search threads the budget leaves address space for.
    pub threads: usize,
}

impl fmt::Display for MemoryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| b >> 20;
        let b = mib(self.bytes);
        match (&self.from, self.requested) {
            (Some(r), Some(q)) if q > self.bytes => write!(
                f,
                "memory budget {b} MiB: --max-memory {} MiB capped at the {} MiB left under \
                 {} after {} MiB headroom",
                mib(q),
                mib(r.bytes),
                r.source,
                mib(HEADROOM)
            ),
            (Some(r), Some(_)) => write!(
                f,
                "memory budget {b} MiB (--max-memory; up to {} MiB left under {} after {} \
                 MiB headroom)",
                mib(r.bytes.saturating_sub(HEADROOM)),
                r.source,
                mib(HEADROOM)
            ),
            (Some(r), None) => write!(
                f,
                "memory budget {b} MiB: half of the {} MiB left under {} after {} MiB \
                 headroom (raise it with --max-memory)",
                mib(r.bytes),
                r.source,
                mib(HEADROOM)
            ),
            (None, Some(_)) => write!(f, "memory budget {b} MiB (--max-memory)"),
            (None, None) => write!(f, "memory budget {b} MiB (no memory limit readable)"),
        }
    }
}

impl MemoryBudget {
    /// This process's budget with `--max-memory` `requested`, for `threads` search
    /// threads (fewer when `RLIMIT_AS` has no address space for them; never 0).
    pub fn detect(requested: Option<u64>, threads: usize) -> MemoryBudget {
        let threads = thread_cap(&system_rooms(0), threads);
        from_rooms(&system_rooms(threads), requested, threads)
    }
}

/// At most `threads`, and only as many as take a quarter of the `RLIMIT_AS` room.
fn thread_cap(rooms: &[Room], threads: usize) -> usize {
    let threads = threads.max(1);
    match rooms.iter().find(|r| r.source == AS) {
        Some(r) => {
            let fit = (r.bytes / 4 / PER_THREAD).saturating_sub(1);
            threads.min(usize::try_from(fit).unwrap_or(usize::MAX).max(1))
        }
        None => threads,
    }
}

const AS: &str = "RLIMIT_AS (ulimit -v)";

/// The tightest room less [`HEADROOM`]; halved by default (the liveness edge list
/// takes up to a quarter more, and growing vectors exist twice while they copy), or
/// `requested` up to that room; never below 1 MiB (a tiny budget still stops with a
/// report).
fn from_rooms(rooms: &[Room], requested: Option<u64>, threads: usize) -> MemoryBudget {
    let tight = rooms.iter().min_by_key(|r| r.bytes).cloned();
    let bytes = match (&tight, requested) {
        (Some(r), q) => {
            let room = r.bytes.saturating_sub(HEADROOM);
            q.map_or(room / 2, |q| q.min(room))
        }
        (None, q) => q.unwrap_or(FALLBACK),
    };
    MemoryBudget {
        bytes: bytes.max(1 << 20),
        from: tight,
        requested,
        threads,
    }
}

/// The limits this process runs under, from `/proc` and the cgroup file system.
/// Address space `threads` more threads will reserve counts as used under `RLIMIT_AS`.
fn system_rooms(threads: usize) -> Vec<Room> {
    let mut rooms = Vec::new();
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let status = read(Path::new("/proc/self/status")).unwrap_or_default();
    if let Some(limits) = read(Path::new("/proc/self/limits")) {
        for (name, used, source) in [
            ("Max address space", "VmSize:", AS),
            ("Max data size", "VmData:", "RLIMIT_DATA (ulimit -d)"),
        ] {
            if let Some(limit) = rlimit(&limits, name) {
                let mut used = kib_field(&status, used).unwrap_or(0);
                if source == AS {
                    used = used.saturating_add(PER_THREAD.saturating_mul(threads as u64 + 1));
                }
                rooms.push(Room {
                    source,
                    bytes: limit.saturating_sub(used),
                });
            }
        }
    }
    if let Some(avail) =
        read(Path::new("/proc/meminfo")).and_then(|m| kib_field(&m, "MemAvailable:"))
    {
        rooms.push(Room {
            source: "MemAvailable",
            bytes: avail,
        });
    }
    if let Some(cgroups) = read(Path::new("/proc/self/cgroup")) {
        rooms.extend(cgroup_room(&cgroups, Path::new("/sys/fs/cgroup")));
    }
    rooms
}

/// The soft limit of `name` in `/proc/self/limits`, `None` when unlimited.
fn rlimit(limits: &str, name: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// A `Name:   123 kB` field of `/proc/meminfo` or `/proc/self/status`, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// Room under the cgroup limits of this process and its ancestors: v2 `memory.max`
/// less `memory.current`, v1 `memory.limit_in_bytes` less `memory.usage_in_bytes`.
fn cgroup_room(proc_cgroup: &str, root: &Path) -> Option<Room> {
    let mut best: Option<Room> = None;
    for line in proc_cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (mount, files, source) = if controllers.is_empty() {
            (
                root.to_path_buf(),
                ("memory.max", "memory.current"),
                "cgroup memory.max",
            )
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                root.join("memory"),
                ("memory.limit_in_bytes", "memory.usage_in_bytes"),
                "cgroup memory.limit_in_bytes",
            )
        } else {
            continue;
        };
        // Inside a container the own path may not be mounted; its root then is.
        let mut dir: PathBuf = mount.join(path.trim_start_matches('/'));
        if !dir.exists() {
            dir = mount.clone();
        }
        loop {
            let num = |f: &str| -> Option<u64> {
                std::fs::read_to_string(dir.join(f))
                    .ok()?
                    .trim()
                    .parse()
                    .ok()
            };
            // `max` (v2) does not parse; v1's "unlimited" is a huge number that
            // MemAvailable undercuts anyway.
            if let Some(limit) = num(files.0) {
                let room = limit.saturating_sub(num(files.1).unwrap_or(0));
                if best.as_ref().is_none_or(|b| room < b.bytes) {
                    best = Some(Room {
                        source,
                        bytes: room,
                    });
                }
            }
            if dir == mount || !dir.pop() {
                break;
            }
        }
    }
    best
}

/// `--max-memory`: bytes, or a number with a binary suffix (`512M`, `2G`, `1GiB`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t.strip_suffix('B').unwrap_or(t);
    let t = t.strip_suffix('i').unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 10),
        Some((i, 'M' | 'm')) => (&t[..i], 20),
        Some((i, 'G' | 'g')) => (&t[..i], 30),
        Some((i, 'T' | 't')) => (&t[..i], 40),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| "expected a size such as 512M, 2G or a number of bytes".to_string())?;
    if n == 0 {
        return Err("the size must be more than 0".into());
    }
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| "too large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_room_sets_the_budget_less_headroom() {
        let rooms = [
            Room {
                source: "MemAvailable",
                bytes: 20 << 30,
            },
            Room {
                source: AS,
                bytes: 1000 << 20,
            },
        ];
        let b = from_rooms(&rooms, None, 2);
        assert_eq!(b.bytes, (1000 - 128) << 19);
        assert_eq!(b.from.as_ref().map(|r| r.source), Some(AS));
        assert!(b.to_string().contains("RLIMIT_AS"), "{b}");
        assert_eq!(from_rooms(&[], None, 1).bytes, FALLBACK);
        // Less room than the headroom still leaves a budget that stops with a report.
        assert_eq!(from_rooms(&rooms, Some(1), 1).bytes, 1 << 20);
    }

    #[test]
    fn a_big_machine_has_no_fixed_8_gib_ceiling_and_max_memory_raises_the_budget() {
        let big = [Room {
            source: "MemAvailable",
            bytes: 64 << 30,
        }];
        assert_eq!(from_rooms(&big, None, 2).bytes, ((64 << 30) - HEADROOM) / 2);
        // --max-memory may go past the default half, up to the room itself.
        assert_eq!(from_rooms(&big, Some(40 << 30), 2).bytes, 40 << 30);
        let capped = from_rooms(&big, Some(100 << 30), 2);
        assert_eq!(capped.bytes, (64 << 30) - HEADROOM);
        assert!(capped.to_string().contains("capped"), "{capped}");
    }

    #[test]
    fn threads_under_ulimit_v_are_capped_to_the_address_space_they_need() {
        let tight = [Room {
            source: AS,
            bytes: 150 << 20,
        }];
        assert_eq!(thread_cap(&tight, 200), 1);
        let roomy = [Room {
            source: AS,
            bytes: 4 << 30,
        }];
        assert_eq!(thread_cap(&roomy, 200), 14);
        assert_eq!(thread_cap(&[], 200), 200);
    }

    #[test]
    fn limits_parse_from_proc_text() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max data size             unlimited            unlimited            bytes\n\
                      Max address space         1024000000           unlimited            bytes\n";
        assert_eq!(rlimit(limits, "Max address space"), Some(1_024_000_000));
        assert_eq!(rlimit(limits, "Max data size"), None);
        assert_eq!(
            kib_field("MemAvailable:   2048 kB\n", "MemAvailable:"),
            Some(2 << 20)
        );
    }

    #[test]
    fn cgroup_v2_limits_of_the_group_and_its_parents_count() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        let leaf = root.join("a/b");
        std::fs::create_dir_all(&leaf).expect("dirs");
        std::fs::write(root.join("a/memory.max"), "1073741824\n").expect("write");
        std::fs::write(root.join("a/memory.current"), "73741824\n").expect("write");
        std::fs::write(leaf.join("memory.max"), "max\n").expect("write");
        let room = cgroup_room("0::/a/b\n", root).expect("a limit");
        assert_eq!(room.bytes, 1_000_000_000);
        assert_eq!(room.source, "cgroup memory.max");
        assert_eq!(cgroup_room("0::/\n", &root.join("a/b")), None);
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
