//! What `kill -9` of the mm's process does to a deadlock state, and whether hung_task
//! reports it, with the reason for every stuck thread.
//!
//! The kernel rules this follows:
//! - A fatal signal wakes only `TASK_KILLABLE` sleeps (`signal_wake_up(t, true)` sets
//!   `TASK_WAKEKILL`), and only of the killed process's threads
//!   ([`faultline_protocol::Process::Mm`]); a thread of another process keeps sleeping.
//! - A woken thread unwinds and releases what it holds: a fault killed in
//!   `__folio_lock_killable` drops its fault lock in `lock_folio_maybe_drop_mmap`
//!   (`release_fault_lock`) and returns `VM_FAULT_RETRY`; a killed rwsem waiter leaves
//!   the wait list (`rwsem_del_wake_waiter` wakes readers queued behind a writer that
//!   left); a FUSE server killed inside a `/dev/fuse` copy ends the request it took
//!   with `-EIO` (`fuse_dev_do_read`/`fuse_dev_do_write` -> `fuse_request_end`), which
//!   unlocks the folio or ends its writeback.
//! - A killed waiter only leaves; it wakes nobody else. So a killable thread on the
//!   cycle is not enough (6.12 `wb-fork`: the server, killed before it took the WRITE,
//!   leaves the writeback waiter and fork's uninterruptible `vma_start_write` stuck).
//! - A thread whose wait ends (its lock came free) is assumed to finish its syscall or
//!   fault and release what it holds; the fatal signal ends it at the return to user.
//! - A request nobody took ends only when a server of another process takes it. The
//!   connection abort (`fuse_dev_release` of the last `/dev/fuse` file) comes after
//!   every thread passed `do_exit` -> `exit_mm` (`mmap_read_lock`, and `mmput` may
//!   itself wait on the dead server: 6.12 `wb` stuck in `request_wait_answer` under
//!   `fuse_write_inode`), so it is never counted on.
//!
//! hung_task (`check_hung_uninterruptible_tasks`) reports a task whose state is exactly
//! `TASK_UNINTERRUPTIBLE`: a killable sleep is never reported.

use faultline_protocol::{
    Backend, FolioState, Machine, Mode, Op, Process, Role, Tid, WaitOn, World,
};

use crate::kernel::{Kernel, KernelWait, Sleep, wait_at};

/// How a stuck thread fares after `kill -9` of the mm's process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// The fatal signal wakes it (a killable sleep of the killed process).
    Woken,
    /// Its wait ends because what it waits for is released.
    Freed,
    /// It keeps sleeping.
    Stays,
}

/// One stuck thread of a deadlock state, judged.
#[derive(Clone, Debug)]
pub struct ThreadKill {
    /// The thread.
    pub tid: Tid,
    /// Its name (`fault`).
    pub name: String,
    /// Whose process it is.
    pub process: Process,
    /// The op it is blocked at and its site (`folio_lock in lock_folio_maybe_drop_mmap`).
    pub at: String,
    /// The kernel wait it stands for (`None`: no entry in the kernel table).
    pub wait: Option<KernelWait>,
    /// What the kill does to it.
    pub fate: Fate,
    /// Why, in kernel terms.
    pub why: String,
}

/// `kill -9` and hung_task for one deadlock state.
#[derive(Clone, Debug)]
pub struct Kill {
    /// The kernel whose sleeps this follows.
    pub kernel: Kernel,
    /// Every stuck thread leaves its wait.
    pub ends: bool,
    /// Some stuck thread sleeps in `TASK_UNINTERRUPTIBLE`.
    pub hung_task: bool,
    /// Every stuck thread, in thread order.
    pub threads: Vec<ThreadKill>,
}

impl Kill {
    /// `kill -9 ends it: yes (kernel newest)`-style summary words.
    pub fn words(&self) -> (&'static str, &'static str) {
        (yes(self.ends), yes(self.hung_task))
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// What a blocked thread needs before it can go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// This thread must release what it holds (or leave the queue ahead).
    Thread(Tid, &'static str),
    /// A request nobody took: a server must take it.
    Request(Backend),
}

fn needs(m: &Machine, w: &World, t: Tid) -> Vec<Need> {
    let mut out = Vec::new();
    let Some(on) = m.blocked_on(w, t) else {
        return out;
    };
    match on {
        WaitOn::MmapLock(mode) => {
            if let Some(h) = w.mmap.writer() {
                out.push(Need::Thread(h, "holds mmap_lock for write"));
            }
            if mode == Mode::Write {
                out.extend(
                    w.mmap
                        .readers()
                        .iter()
                        .filter(|&r| r != t)
                        .map(|r| Need::Thread(r, "holds mmap_lock for read")),
                );
            }
            let pos = w.mmap.position(t).unwrap_or(0);
            for (q, qmode) in w.mmap.queue().take(pos) {
                // rwsem wait lists are FIFO: a reader waits behind a queued writer.
                if mode == Mode::Write || qmode == Mode::Write {
                    out.push(Need::Thread(q, "is queued ahead on mmap_lock"));
                }
            }
        }
        WaitOn::VmaReaders(v) => out.extend(
            w.vma(v)
                .readers
                .iter()
                .filter(|&r| r != t)
                .map(|r| Need::Thread(r, "holds the VMA read lock")),
        ),
        WaitOn::Folio(f) => match w.folio(f).state {
            FolioState::Locked(h) => out.push(Need::Thread(h, "holds the folio lock")),
            FolioState::ReadIo {
                backend: Backend::Disk,
                ..
            }
            | FolioState::Absent => {}
            FolioState::ReadIo {
                backend,
                claimed: true,
            } => match claimer(m, w, f) {
                Some(s) => out.push(Need::Thread(s, "took the request")),
                None => out.push(Need::Request(backend)),
            },
            FolioState::ReadIo { backend, .. } => out.push(Need::Request(backend)),
            FolioState::Uptodate => out.extend(
                w.folio(f)
                    .refs
                    .iter()
                    .filter(|&r| r != t)
                    .map(|r| Need::Thread(r, "holds a folio reference")),
            ),
        },
    }
    out
}

/// The server thread that took the request on `f`.
fn claimer(m: &Machine, w: &World, f: faultline_protocol::FolioId) -> Option<Tid> {
    m.tids()
        .find(|&s| m.threads()[s.index()].role == Role::Server && w.thread(s).folio == Some(f))
}

/// Whether `s` takes requests for `backend` (`fuse_dev_do_read`, uffd `read`).
fn serves(m: &Machine, s: Tid, backend: Backend) -> bool {
    let want = match backend {
        Backend::Fuse => Op::FuseDevRead,
        Backend::Uffd => Op::UffdRead,
        Backend::Disk => return false,
    };
    m.threads()[s.index()]
        .program
        .instrs()
        .iter()
        .any(|i| i.op == want)
}

/// What a woken thread lets go of, for the reason text.
fn holds(m: &Machine, w: &World, t: Tid) -> Vec<String> {
    let mut out = Vec::new();
    if w.mmap.writer() == Some(t) {
        out.push("mmap_lock (write)".to_string());
    }
    if w.mmap.readers().contains(t) {
        out.push("mmap_lock (read)".to_string());
    }
    for (i, v) in m.vmas().iter().enumerate() {
        if w.vmas[i].readers.contains(t) {
            out.push(format!("the VMA lock of {}", v.name));
        }
    }
    for (i, f) in m.folios().iter().enumerate() {
        match w.folios[i].state {
            FolioState::Locked(h) if h == t => out.push(format!("the lock of folio {}", f.name)),
            FolioState::ReadIo { claimed: true, .. }
                if claimer(m, w, faultline_protocol::FolioId(i as u8)) == Some(t) =>
            {
                out.push(format!("the request on {} (ended with -EIO)", f.name))
            }
            _ => {}
        }
    }
    out
}

/// Judges `kill -9` of the mm's process and hung_task at deadlock state `w`.
pub fn kill(m: &Machine, w: &World, kernel: Kernel) -> Kill {
    let stuck: Vec<Tid> = m.tids().filter(|&t| m.blocked_on(w, t).is_some()).collect();
    let spec = |t: Tid| &m.threads()[t.index()];
    let wait = |t: Tid| wait_at(kernel, &spec(t).program, w.thread(t).pc);
    let mut fate: Vec<Fate> = m
        .tids()
        .map(|t| {
            let woken = spec(t).process == Process::Mm
                && wait(t).is_some_and(|k| k.sleep != Sleep::Uninterruptible);
            if woken { Fate::Woken } else { Fate::Stays }
        })
        .collect();
    let gone = |fate: &[Fate], h: Tid| fate[h.index()] != Fate::Stays || !stuck.contains(&h);
    let taken = |fate: &[Fate], b: Backend| {
        m.tids()
            .any(|s| spec(s).process == Process::Other && serves(m, s, b) && gone(fate, s))
    };
    loop {
        let freed: Vec<Tid> = stuck
            .iter()
            .copied()
            .filter(|&t| fate[t.index()] == Fate::Stays)
            .filter(|&t| {
                needs(m, w, t).iter().all(|n| match *n {
                    Need::Thread(h, _) => gone(&fate, h),
                    Need::Request(b) => taken(&fate, b),
                })
            })
            .collect();
        if freed.is_empty() {
            break;
        }
        for t in freed {
            fate[t.index()] = Fate::Freed;
        }
    }
    let threads: Vec<ThreadKill> = stuck
        .iter()
        .map(|&t| {
            let k = wait(t);
            let s = spec(t);
            let f = fate[t.index()];
            let label = |h: Tid| format!("{h} {}", spec(h).name);
            let why = match f {
                Fate::Woken => {
                    let held = holds(m, w, t);
                    format!(
                        "SIGKILL wakes its {} sleep in {}; it unwinds{}",
                        k.map_or("?", |k| k.sleep.word()),
                        k.map_or("?", |k| k.function),
                        if held.is_empty() {
                            " holding nothing (it only leaves the wait)".to_string()
                        } else {
                            format!(" and releases {}", held.join(", "))
                        }
                    )
                }
                Fate::Freed => {
                    let ns = needs(m, w, t);
                    let by: Vec<String> = ns
                        .iter()
                        .map(|n| match *n {
                            Need::Thread(h, what) => format!("{} ({what})", label(h)),
                            Need::Request(_) => {
                                "a server of another process takes the request".into()
                            }
                        })
                        .collect();
                    if by.is_empty() {
                        "its wait ends".into()
                    } else {
                        format!("its wait ends once {} lets go", by.join(" and "))
                    }
                }
                Fate::Stays => {
                    let sleep = match (s.process, k.map(|k| k.sleep)) {
                        (Process::Other, _) => {
                            "another process: SIGKILL of the mm's process does not reach it"
                                .to_string()
                        }
                        (_, Some(Sleep::Uninterruptible)) => format!(
                            "uninterruptible in {}: SIGKILL does not wake it",
                            k.map_or("?", |k| k.function)
                        ),
                        (_, _) => "no kernel wait known: assumed not woken".to_string(),
                    };
                    let blockers: Vec<String> = needs(m, w, t)
                        .iter()
                        .filter_map(|n| match *n {
                            Need::Thread(h, what) if !gone(&fate, h) => {
                                Some(format!("{} ({what}) stays", label(h)))
                            }
                            Need::Request(b) if !taken(&fate, b) => Some(
                                "nobody took its request and no server of another process will \
                                 (the connection abort needs the whole process through exit)"
                                    .into(),
                            ),
                            _ => None,
                        })
                        .collect();
                    format!("{sleep}; {}", blockers.join("; "))
                }
            };
            ThreadKill {
                tid: t,
                name: s.name.clone(),
                process: s.process,
                at: s
                    .program
                    .get(w.thread(t).pc)
                    .map(|i| format!("{} in {}", i.op.kernel_name(), i.site))
                    .unwrap_or_default(),
                wait: k,
                fate: f,
                why,
            }
        })
        .collect();
    Kill {
        kernel,
        ends: threads.iter().all(|t| t.fate != Fate::Stays),
        hung_task: threads
            .iter()
            .any(|t| t.wait.is_some_and(|k| k.sleep == Sleep::Uninterruptible)),
        threads,
    }
}
