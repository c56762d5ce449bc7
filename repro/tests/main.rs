//! faultline-repro's integration tests: recorded serial logs of the real kernels
//! (6.1.192 and 6.12.95 under QEMU, `repro/run`) judged against the model.

use faultline_repro::{case, judge, observe, predict};

fn log(name: &str) -> String {
    let path = format!("{}/tests/logs/{name}.log", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn verdict(c: &str, kernel: &str, text: &str) -> faultline_repro::Judgement {
    let c = case(c).expect("case");
    judge(
        c,
        kernel,
        "test",
        &predict(c, kernel).expect("model"),
        &observe(text),
    )
}

#[test]
fn the_model_counterexample_waits_are_the_kernel_stacks_of_h2_on_6_12() {
    let j = verdict("h2", "6.12", &log("6.12-h2"));
    assert!(j.ok(), "{j:#?}");
    assert!(
        j.result
            .contains("predicted=HANG observed=HANG killable=yes hung_task=no")
    );
    assert_eq!(j.waits.len(), 3);
}

#[test]
fn on_6_1_gup_sleeps_in_plain_down_read_and_hung_task_fires() {
    let j = verdict("h2", "6.1", &log("6.1-h2"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("killable=yes hung_task=yes"));
    assert!(
        j.waits
            .iter()
            .any(|w| w.contains("down_read uninterruptible"))
    );
}

#[test]
fn a_stack_the_model_does_not_predict_is_a_mismatch() {
    // The server shown waiting in a write lock instead of GUP's read lock.
    let doctored = log("6.12-h2")
        .replace("rwsem_down_read_slowpath", "rwsem_down_write_slowpath")
        .replace("fuse_copy_fill", "fuse_copy_xxx");
    let j = verdict("h2", "6.12", &doctored);
    assert!(!j.ok());
    assert!(j.result.ends_with("MISMATCH"));
    assert!(
        j.mismatches.iter().any(|m| m.starts_with("S (fuse)")),
        "{j:#?}"
    );
}

#[test]
fn the_wrong_kernel_knob_disagrees_on_hung_task() {
    // A 6.1 log judged with the 6.12 model: GUP's wait differs.
    assert!(!verdict("h2", "6.12", &log("6.1-h2")).ok());
}

#[test]
fn a_control_completes_and_a_hang_where_completion_is_predicted_fails() {
    assert!(verdict("h2-noevict", "6.12", &log("6.12-h2-noevict")).ok());
    let j = verdict("h2-noevict", "6.12", &log("6.12-h2"));
    assert!(j.result.contains("predicted=COMPLETE observed=HANG"));
    assert!(!j.ok());
}

#[test]
fn an_empty_log_is_broken_not_a_pass() {
    let j = verdict("h2", "6.12", "");
    assert!(j.result.contains("observed=BROKEN"));
    assert!(!j.ok());
}

#[test]
fn wb_on_6_12_waits_in_fuse_page_mkwrite_and_vma_start_write_and_hung_task_fires() {
    let j = verdict("wb", "6.12", &log("6.12-wb"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("killable=yes hung_task=yes"));
    assert!(j.waits.iter().any(|w| w.contains("fuse_page_mkwrite")));
    assert!(
        j.waits
            .iter()
            .any(|w| w.contains("down_write uninterruptible"))
    );
}

#[test]
fn proc_matches_a_later_model_deadlock_not_the_shortest() {
    // The shortest model deadlock is the daemon's /proc read of R1 against the DIO
    // mmap's write lock; the kernel shows the TRIED one (T1, W2, D).
    let c = case("proc").expect("case");
    let p = predict(c, "6.1").expect("model");
    assert!(p.stuck.len() > 1);
    let j = judge(c, "6.1", "test", &p, &observe(&log("6.1-proc")));
    assert!(j.ok(), "{j:#?}");
    assert!(j.waits.iter().any(|w| w.starts_with("  D ")));
    assert!(j.result.contains("hung_task=no"));
}

#[test]
fn the_kernel_log_lines_are_read_from_the_watchdog_dump() {
    let o = observe(&log("6.1-h2"));
    assert_eq!(o.uname, "6.1.0-57-amd64");
    assert_eq!(o.hung_task, ["S"]);
    let s = o.task("S").expect("server");
    assert_eq!(s.innermost(2), "rwsem_down_read_slowpath<down_read");
}

/// WB with fork as the writer: not in the harness's case list, because the kernel is
/// racy about which of the test's threads touches a page fork write-protected first,
/// and one of the shapes waits on the test's own pipe, which the model lacks.
static WB_FORK: faultline_repro::Case = faultline_repro::Case {
    name: "wb-fork",
    title: "WB with fork as the writer",
    args: "wb -b cold -w 1 -m fork",
    scenario: "kernel-wb",
    sets: &[("writer", "fork")],
    roles: &[
        ("fault", "T1"),
        ("writer", "W"),
        ("fuse", "S"),
        ("main", "M"),
    ],
    stuck: &["fault", "writer", "fuse", "main"],
};

#[test]
fn wb_fork_on_6_12_the_server_faults_on_its_cow_page_before_it_takes_the_write_so_kill_fails() {
    // dup_mmap write-locks the server's data VMA and write-protects it; the server's
    // next write queues on mmap_read_lock before it has claimed the WRITE, so SIGKILL
    // only takes it out of the queue and T1 stays in fuse_wait_on_page_writeback.
    // Before kernel-wb had that fault the model said killable (the disagreement
    // pinned last round).
    let p = predict(&WB_FORK, "6.12").expect("model");
    let j = judge(&WB_FORK, "6.12", "test", &p, &observe(&log("6.12-wb-fork")));
    assert!(j.ok(), "{j:#?}");
    assert!(
        j.result
            .contains("predicted=HANG observed=HANG killable=no hung_task=yes"),
        "{j:#?}"
    );
    assert!(j.waits.iter().any(|w| w.contains("lock_mm_and_find_vma")));
}

#[test]
fn wb_fork_on_6_12_can_also_hang_with_the_server_still_in_the_tests_pipe_which_the_model_lacks() {
    // A second 6.12 run (this round): the main thread's own write faulted behind fork
    // before it resumed the server, so S sleeps in pipe_read (sig_wait(pipe_resume)),
    // a wait the model has no op for. Kept to show why wb-fork is not a harness case.
    let o = observe(&log("6.12-wb-fork-pipe"));
    assert!(
        o.task("S")
            .expect("server")
            .innermost(1)
            .starts_with("pipe_read")
    );
    let p = predict(&WB_FORK, "6.12").expect("model");
    assert!(!judge(&WB_FORK, "6.12", "test", &p, &o).ok());
}

#[test]
fn wb_fork_on_6_1_hangs_in_the_three_thread_wb_cycle() {
    // 6.1 has no VMA lock: fork queues on mmap_write_lock behind T1 before it copies
    // anything, so no page is write-protected yet and the server takes the WRITE; its
    // GUP then queues behind fork: the same cycle as the other WB writers.
    let c = faultline_repro::Case {
        stuck: &["fault", "writer", "fuse"],
        ..WB_FORK
    };
    let p = predict(&c, "6.1").expect("model");
    let j = judge(&c, "6.1", "test", &p, &observe(&log("6.1-wb-fork")));
    eprintln!("{j:#?}");
    assert!(j.result.contains("predicted=HANG observed=HANG"), "{j:#?}");
}

#[test]
fn the_readme_table_is_the_models_predictions() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let begin = readme
        .find(faultline_repro::BEGIN)
        .expect("the README marks the generated table")
        + faultline_repro::BEGIN.len()
        + 1;
    let end = readme[begin..]
        .find(faultline_repro::END)
        .expect("the README ends the generated table")
        + begin;
    let want = faultline_repro::table().expect("predictions");
    assert!(
        readme[begin..end] == want,
        "README.md's table of real-kernel results is not the model's; replace it with \
         the output of `cargo run -p faultline-repro -- table`:\n{want}"
    );
}

#[test]
fn a_hang_in_another_deadlock_than_the_case_names_is_a_mismatch() {
    // The 6.1 PROC log shows T1, W2 and D stuck; a case claiming the eviction is stuck
    // instead must not pass even though the kernel's waits match a model deadlock: the
    // case asks for its own cycle, whose waits are not the kernel's.
    let real = case("proc").expect("case");
    let wrong = faultline_repro::Case {
        stuck: &["fault", "evict", "mprotect", "daemon"],
        ..*real
    };
    let p = predict(&wrong, "6.1").expect("model");
    let j = judge(&wrong, "6.1", "test", &p, &observe(&log("6.1-proc")));
    assert!(!j.ok());
    assert!(
        j.mismatches
            .iter()
            .any(|m| m.starts_with("none of the model's 2 deadlock states")),
        "{j:#?}"
    );
}

#[test]
fn a_known_disagreement_passes_only_when_the_kernel_does_what_it_says() {
    // A stand-in entry: the 6.12 H2 log judged as if the model said COMPLETE.
    let c = case("h2-noevict").expect("case");
    let k = faultline_repro::Known {
        series: "test",
        case: "h2-noevict",
        observed: "HANG",
        why: "stand-in",
    };
    let o = observe(&log("6.12-h2"));
    let j = judge(c, "6.12", "test", &predict(c, "6.12").expect("model"), &o);
    assert!(!j.ok());
    let j = j.explained(Some(&k), o.outcome);
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.ends_with("KNOWN-DISAGREEMENT"), "{j:#?}");
    // An entry that says the kernel completes does not excuse a hang.
    let k = faultline_repro::Known {
        observed: "COMPLETE",
        ..k
    };
    let j = judge(c, "6.12", "test", &predict(c, "6.12").expect("model"), &o);
    let j = j.explained(Some(&k), o.outcome);
    assert!(!j.ok());
    assert!(j.result.ends_with("MISMATCH"), "{j:#?}");
}

#[test]
fn every_design_series_has_its_patches_and_every_known_disagreement_names_a_case() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/patches");
    for b in faultline_repro::BUILDS
        .iter()
        .filter(|b| b.series != "stock")
    {
        let series = std::fs::read_to_string(format!("{dir}/{}/series", b.series))
            .unwrap_or_else(|e| panic!("{}: {e}", b.series));
        for p in series
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            assert!(
                std::path::Path::new(&format!("{dir}/{p}")).is_file(),
                "{}: {p}",
                b.series
            );
        }
        for c in faultline_repro::CASES {
            faultline_repro::predict_for(c, "7.2", b).expect("the model builds");
        }
    }
    for k in faultline_repro::KNOWN {
        assert!(faultline_repro::build_of(k.series).is_some(), "{k:?}");
        assert!(case(k.case).is_ok(), "{k:?}");
    }
}

fn verdict_for(c: &str, series: &str, text: &str) -> faultline_repro::Judgement {
    let c = case(c).expect("case");
    let b = faultline_repro::build_of(series).expect("series");
    // The build's System.map, cut to the symbols models/src/kernel.rs names (the only
    // ones the judge asks about): this small build inlines folio_wait_bit_common.
    let map = std::fs::read_to_string(format!(
        "{}/tests/logs/7.2+{series}.System.map",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("System.map");
    let o = observe(text).with_system_map(&map);
    judge(
        c,
        &format!("7.2+{series}"),
        "test",
        &faultline_repro::predict_for(c, "7.2", b).expect("model"),
        &o,
    )
    .explained(faultline_repro::known(series, c.name), o.outcome)
}

#[test]
fn h1_fork_against_in_process_fuse_hangs_on_the_file_only_kernel_in_the_models_cycle() {
    // 7.2.13 with the file-only patch (repro/patches/rip-out/p3-hold-io-never-drop):
    // T1 holds F's VMA lock across the READ, fork waits in __vma_start_write under
    // mmap_write_lock, the server's GUP queues behind fork.
    let j = verdict_for("ff", "file-only", &log("7.2+file-only-ff"));
    assert!(j.ok(), "{j:#?}");
    assert!(
        j.result
            .contains("predicted=HANG observed=HANG killable=yes hung_task=no"),
        "{j:#?}"
    );
    assert!(
        j.waits
            .iter()
            .any(|w| w.contains("__vma_start_write<dup_mmap"))
    );
}

#[test]
fn a_kernel_mode_fault_hangs_the_file_only_kernel_under_mmap_lock_as_the_model_predicts() {
    // T1's write() from the mapping faults in copy_page_from_iter: lock_mm_and_find_vma,
    // then filemap_fault holding mmap_read_lock across the READ. Was a known
    // disagreement while the catalog's hold-io still dropped mmap_lock for I/O; the
    // P3 designs now hold under both locks (hold-under=both), as the patch does.
    let text = log("7.2+file-only-ff-kernel");
    assert!(text.contains("copy_page_from_iter<anon_pipe_write"));
    let j = verdict_for("ff-kernel", "file-only", &text);
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("predicted=HANG observed=HANG"), "{j:#?}");
}

#[test]
fn h2_stack_without_r2_ends_when_the_fault_does() {
    // Regression: the main thread waited in its own pipe for an R2 that a design
    // keeping the fault's lock never sends; T1's end now releases it.
    let j = verdict_for("h2-stack", "file-only", &log("7.2+file-only-h2-stack"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("predicted=COMPLETE observed=COMPLETE"));
}

#[test]
fn uw_hangs_the_v2_kernel_with_a_kernel_mode_fault_holding_mmap_read_lock_for_an_uptodate_folio() {
    // v2 5/5 cleared FAULT_FLAG_ALLOW_RETRY for the uptodate folio: T2's write() from
    // the second mapping waits for f's lock in filemap_fault under mmap_read_lock, T1
    // holds f in fuse_page_mkwrite waiting for writeback, S's mmap queues for
    // mmap_write_lock. SIGKILL does not reap (T1 is uninterruptible); the FUSE abort does.
    let text = log("7.2+v2-uw");
    assert!(text.contains("filemap_fault<__do_fault<do_fault"));
    assert!(text.contains("copy_page_from_iter<anon_pipe_write"));
    assert!(text.contains("folio_wait_writeback<fuse_page_mkwrite"));
    assert!(
        text.contains("down_write_killable<vm_mmap_pgoff") || text.contains("wchan=vm_mmap_pgoff")
    );
    let j = verdict_for("uw", "v2", &text);
    assert!(j.ok(), "{j:#?}");
    assert!(
        j.result
            .contains("predicted=HANG observed=HANG killable=no hung_task=yes"),
        "{j:#?}"
    );
}

#[test]
fn uw_completes_on_v2_with_wilcoxs_not_writeback_test_as_the_model_predicts() {
    // repro/patches/v2-not-writeback: the folio under writeback keeps ALLOW_RETRY, so
    // T2 drops mmap_lock to wait and the server's mmap goes through.
    let j = verdict_for("uw", "v2-not-writeback", &log("7.2+v2-not-writeback-uw"));
    assert!(j.ok(), "{j:#?}");
    assert!(
        j.result.contains("predicted=COMPLETE observed=COMPLETE"),
        "{j:#?}"
    );
}

/// Since 6.16 a FUSE folio stays PG_writeback until the server replies, so the DIO
/// mmap's invalidate_inode_pages2_range waits on the server under mmap_write_lock;
/// 6.12 ended PG_writeback at once. Fails if the model ignores the kernel knob there
/// (either log then disagrees).
#[test]
fn a_dio_mmap_waits_for_fuse_writeback_on_7_2_and_not_on_6_12() {
    let j = verdict("wb-dio", "7.2", &log("7.2-wb-dio"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("predicted=HANG observed=HANG"));
    assert!(
        j.waits
            .iter()
            .any(|w| w.contains("folio_wait_writeback<invalidate_inode_pages2_range")),
        "{j:#?}"
    );
    let j = verdict("wb-dio", "6.12", &log("6.12-wb-dio"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("predicted=COMPLETE observed=COMPLETE"));
}

/// 6.1 has no per-VMA lock: mkwrite holds mmap_read_lock itself and waits in 6.12's
/// fuse_wait_on_page_writeback, the older WB cycle. Caught in a fresh-clone CI run: the
/// scenario used 7.2's folio_wait_writeback whatever the kernel knob said.
#[test]
fn uw_on_6_1_hangs_in_the_wb_cycle_waiting_in_fuse_wait_on_page_writeback() {
    let j = verdict("uw", "6.1", &log("6.1-uw"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("predicted=HANG observed=HANG"), "{j:#?}");
    assert!(
        j.waits
            .iter()
            .any(|w| w.contains("fuse_wait_on_page_writeback")),
        "{j:#?}"
    );
}

/// Rule 22 (munmap-close) was model only until the harness booted it: 7.2's munmap
/// waits for the FUSE server in fuse_vma_close's write_inode_now under the
/// mmap_read_lock it downgraded to, and the server's GUP waits behind a queued writer.
#[test]
fn munmap_of_a_dirty_fuse_map_hangs_7_2_in_fuse_vma_close_and_completes_6_12() {
    let j = verdict("mc", "7.2", &log("7.2-mc"));
    assert!(j.ok(), "{j:#?}");
    assert!(
        j.result
            .contains("predicted=HANG observed=HANG killable=yes hung_task=yes"),
        "{j:#?}"
    );
    let text = log("7.2-mc");
    assert!(text.contains("write_inode_now<fuse_vma_close<remove_vma<vms_complete_munmap_vmas"));
    let j = verdict("mc", "6.12", &log("6.12-mc"));
    assert!(j.ok(), "{j:#?}");
    assert!(j.result.contains("predicted=COMPLETE observed=COMPLETE"));
}

/// With FUSE_WRITEBACK_CACHE the munmap-close cycle is older than 6.16: the write
/// dirtied the inode's times and write_inode_now waits for fuse_write_inode's SETATTR
/// (state S, request_wait_answer). Caught by the first mc-wbc boots: the model said
/// 6.1 and 6.12 complete.
#[test]
fn munmap_with_writeback_cache_hangs_6_1_and_6_12_in_the_setattr_of_fuse_write_inode() {
    for k in ["6.1", "6.12"] {
        let j = verdict("mc-wbc", k, &log(&format!("{k}-mc-wbc")));
        assert!(j.ok(), "{j:#?}");
        assert!(
            j.result
                .contains("predicted=HANG observed=HANG killable=yes")
        );
        assert!(
            j.waits
                .iter()
                .any(|w| w.contains("request_wait_answer interruptible")
                    && w.contains("fuse_flush_times")),
            "{j:#?}"
        );
    }
}
