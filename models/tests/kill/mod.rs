//! `kill -9` and hung_task at the catalog's kernel deadlocks (`faultline_traces::kill`),
//! judged on each kernel the `kernel` knob names.

use faultline_checker::{Budget, deadlocks};
use faultline_protocol::{Machine, Process};

use faultline_traces::{Fate, Kernel, Kill, Sleep, kill};

/// Every deadlock state of `m`, judged on `kernel`.
fn judged(m: &Machine, kernel: Kernel) -> Vec<Kill> {
    let (found, _) = deadlocks(m, &Budget::default()).expect("searches");
    assert!(found.stopped.is_none());
    found
        .states
        .iter()
        .map(|d| kill(m, &d.world, kernel))
        .collect()
}

fn model(scenario: &str, sets: &[(&str, &str)]) -> (Machine, Kernel) {
    let sets: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let m = faultline_models::build("upstream", scenario, &sets).expect("builds");
    (m.machine.clone(), Kernel::of(&m.knobs))
}

/// The deadlock state whose stuck threads are exactly `names`.
fn with<'a>(ks: &'a [Kill], names: &[&str]) -> &'a Kill {
    ks.iter()
        .find(|k| {
            let mut n: Vec<&str> = k.threads.iter().map(|t| t.name.as_str()).collect();
            n.sort_unstable();
            let mut want = names.to_vec();
            want.sort_unstable();
            n == want
        })
        .unwrap_or_else(|| panic!("no deadlock of {names:?} in {ks:#?}"))
}

#[test]
fn h2_on_6_12_every_thread_sleeps_killably_so_kill_ends_it_and_hung_task_is_silent() {
    let (m, k) = model("kernel-h2", &[("kernel", "6.12")]);
    let ks = judged(&m, k);
    let h2 = with(&ks, &["fault", "mprotect", "fuse"]);
    assert!(h2.ends && !h2.hung_task, "{h2:#?}");
    assert!(h2.threads.iter().all(|t| t.fate == Fate::Woken));
    let fault = &h2.threads[0];
    assert!(fault.why.contains("mmap_lock (read)"), "{fault:#?}");
}

#[test]
fn h2_on_6_1_the_server_is_not_woken_but_freed_when_the_killed_writer_leaves_the_queue() {
    let (m, k) = model("kernel-h2", &[("kernel", "6.1")]);
    let ks = judged(&m, k);
    let h2 = with(&ks, &["fault", "mprotect", "fuse"]);
    assert!(h2.ends && h2.hung_task, "{h2:#?}");
    let fuse = h2
        .threads
        .iter()
        .find(|t| t.name == "fuse")
        .expect("server");
    assert_eq!(fuse.fate, Fate::Freed);
    assert!(
        fuse.why.contains("mprotect (is queued ahead on mmap_lock)"),
        "{fuse:#?}"
    );
}

#[test]
fn a_daemon_of_another_process_is_not_signalled_but_its_lock_comes_free() {
    let (m, k) = model(
        "kernel-h2",
        &[("kernel", "6.1"), ("daemon", "proc-cmdline")],
    );
    let ks = judged(&m, k);
    let proc = with(&ks, &["fault", "mprotect", "daemon"]);
    let d = proc
        .threads
        .iter()
        .find(|t| t.name == "daemon")
        .expect("daemon");
    assert_eq!(d.process, Process::Other);
    assert_eq!(d.fate, Fate::Freed);
    assert!(proc.ends && !proc.hung_task, "{proc:#?}");
}

#[test]
fn wb_on_6_12_the_killed_server_ends_the_write_it_took_so_writeback_and_the_writer_go_on() {
    let (m, k) = model("kernel-wb", &[("kernel", "6.12")]);
    let ks = judged(&m, k);
    let wb = with(&ks, &["fault", "writer", "fuse"]);
    assert!(wb.ends && wb.hung_task, "{wb:#?}");
    let fuse = wb
        .threads
        .iter()
        .find(|t| t.name == "fuse")
        .expect("server");
    assert!(
        fuse.why.contains("the request on wb (ended with -EIO)"),
        "{fuse:#?}"
    );
}

#[test]
fn killing_a_server_before_it_took_the_request_frees_nobody_wb_fork_on_6_12() {
    // The server's write to its own data page, which fork write-protected, queues
    // on mmap_read_lock before it reads the WRITE (repro/tests/logs/6.12-wb-fork.log).
    let (m, k) = model("kernel-wb", &[("kernel", "6.12"), ("writer", "fork")]);
    let ks = judged(&m, k);
    let hang = with(&ks, &["fault", "writer", "fuse", "main"]);
    assert!(!hang.ends && hang.hung_task, "{hang:#?}");
    let fate = |n: &str| hang.threads.iter().find(|t| t.name == n).expect(n).fate;
    assert_eq!(fate("fuse"), Fate::Woken);
    assert_eq!(fate("fault"), Fate::Stays);
    assert_eq!(fate("writer"), Fate::Stays);
    let fuse = hang
        .threads
        .iter()
        .find(|t| t.name == "fuse")
        .expect("server");
    assert!(fuse.why.contains("holding nothing"), "{fuse:#?}");
    // The coarse rule (a killable thread of the process is stuck) says it ends.
    assert!(hang.threads.iter().any(
        |t| t.process == Process::Mm && t.wait.is_some_and(|k| k.sleep == Sleep::Killable)
    ));
}
