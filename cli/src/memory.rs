//! The memory budget: how many bytes the state store may really have. The smallest
//! room left under the cgroup's limit (`memory.max`, v1 `memory.limit_in_bytes`),
//! `RLIMIT_AS` and `RLIMIT_DATA` (`ulimit -v`, `ulimit -d`), `MemAvailable` and
//! `--max-memory`, less headroom for everything else the process maps.
//!
//! The limits are read from `/proc` and `/sys/fs/cgroup` rather than through
//! `getrlimit` because the workspace forbids `unsafe`; off Linux only `--max-memory`
//! and the checker's default apply.

use std::fmt;
use std::path::{Path, PathBuf};

use faultline_checker::{Budget, Limit, Report, Verdict};

/// Left for code, stacks, allocator arenas and the progress thread.
const HEADROOM: u64 = 128 << 20;

/// One limit on memory and the room it leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Room {
    /// Where it comes from: `RLIMIT_AS (ulimit -v)`, `cgroup memory.max`, ...
    pub source: &'static str,
    /// Bytes still available under it.
    pub bytes: u64,
}

/// The store's byte budget and the limit that set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MemoryBudget {
    /// Bytes the state store may hold.
    pub bytes: u64,
    /// The tightest limit, or `None` when the checker's default is tighter.
    pub from: Option<Room>,
}

impl fmt::Display for MemoryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| b >> 20;
        match &self.from {
            Some(r) => write!(
                f,
                "memory budget {} MiB: half of the {} MiB left under {} after {} MiB \
                 headroom",
                mib(self.bytes),
                mib(r.bytes),
                r.source,
                mib(HEADROOM)
            ),
            None => write!(f, "memory budget {} MiB (the default)", mib(self.bytes)),
        }
    }
}

/// The budget for this process, with `--max-memory` if given.
pub(crate) fn budget(max_memory: Option<u64>) -> MemoryBudget {
    let mut rooms = system_rooms();
    if let Some(b) = max_memory {
        rooms.push(Room {
            source: "--max-memory",
            bytes: b,
        });
    }
    from_rooms(&rooms, Budget::DEFAULT_MAX_BYTES)
}

/// The tightest room, halved (the liveness edge list takes up to a quarter more, and
/// growing vectors exist twice while they copy) and less [`HEADROOM`]; never more
/// than `default`, never below 1 MiB (a tiny budget still stops with a report).
fn from_rooms(rooms: &[Room], default: u64) -> MemoryBudget {
    let Some(tight) = rooms.iter().min_by_key(|r| r.bytes) else {
        return MemoryBudget {
            bytes: default,
            from: None,
        };
    };
    let bytes = (tight.bytes.saturating_sub(HEADROOM) / 2).max(1 << 20);
    if bytes >= default {
        return MemoryBudget {
            bytes: default,
            from: None,
        };
    }
    MemoryBudget {
        bytes,
        from: Some(tight.clone()),
    }
}

/// Whether a memory budget stopped some property of `report`.
pub(crate) fn stopped(report: &Report) -> bool {
    report
        .results
        .iter()
        .any(|r| matches!(r.verdict, Verdict::Inconclusive(Limit::Memory { .. })))
}

/// The limits this process runs under, from `/proc` and the cgroup file system.
fn system_rooms() -> Vec<Room> {
    let mut rooms = Vec::new();
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let status = read(Path::new("/proc/self/status")).unwrap_or_default();
    if let Some(limits) = read(Path::new("/proc/self/limits")) {
        for (name, used, source) in [
            ("Max address space", "VmSize:", "RLIMIT_AS (ulimit -v)"),
            ("Max data size", "VmData:", "RLIMIT_DATA (ulimit -d)"),
        ] {
            if let Some(limit) = rlimit(&limits, name) {
                let used = kib_field(&status, used).unwrap_or(0);
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
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
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
                source: "RLIMIT_AS (ulimit -v)",
                bytes: 1000 << 20,
            },
        ];
        let b = from_rooms(&rooms, 8 << 30);
        assert_eq!(b.bytes, (1000 - 128) << 19);
        assert_eq!(
            b.from.as_ref().map(|r| r.source),
            Some("RLIMIT_AS (ulimit -v)")
        );
        assert!(b.to_string().contains("RLIMIT_AS"), "{b}");
        // Nothing tighter than the default: the default.
        assert_eq!(from_rooms(&rooms[..1], 8 << 30).bytes, 8 << 30);
        assert_eq!(from_rooms(&[], 8 << 30).from, None);
        // Less room than the headroom still leaves a budget that stops with a report.
        let tiny = [Room {
            source: "--max-memory",
            bytes: 1,
        }];
        assert_eq!(from_rooms(&tiny, 8 << 30).bytes, 1 << 20);
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
