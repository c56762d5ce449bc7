//! The pinned verdict matrix: `faultline matrix --json`, cell by cell, against the
//! expectations of kernel-semantics section 5 (OK / DEADLOCK / LATENCY / LIVELOCK /
//! UAF ... per design). Where the model's answer differs from the document, or the
//! document is [inferred] or silent, the reason sits next to the expectation.

use super::{faultline, stderr};

/// Designs, in the matrix's column order.
const DESIGNS: [&str; 4] = ["upstream", "vma-retry", "hold-io", "two-flag"];

/// Computes `faultline matrix --json [args]`; returns (scenario, design, verdict).
fn matrix(args: &[&str]) -> Vec<(String, String, String)> {
    let mut all = vec!["matrix", "--json"];
    all.extend_from_slice(args);
    let o = faultline(&all);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    j["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().expect("string").to_string();
            (s("scenario"), s("design"), s("verdict"))
        })
        .collect()
}

/// Checks every row of `expected` (scenario, then one verdict per design).
fn assert_rows(got: &[(String, String, String)], expected: &[(&str, [&str; 4])]) {
    assert_eq!(got.len(), expected.len() * DESIGNS.len(), "{got:?}");
    for (scenario, verdicts) in expected {
        for (design, want) in DESIGNS.iter().zip(verdicts) {
            let cell = got
                .iter()
                .find(|(s, d, _)| s == scenario && d == design)
                .unwrap_or_else(|| panic!("no cell {design} x {scenario}"));
            assert_eq!(&cell.2, want, "{design} x {scenario}");
        }
    }
}

#[test]
fn the_default_matrix_matches_kernel_semantics_section_5() {
    #[rustfmt::skip]
    let expected: &[(&str, [&str; 4])] = &[
        //               upstream (D0)        vma-retry (D1)  hold-io (D2)         two-flag (D3)
        // H1, reclaim off (the row's default). The doc says DEADLOCK for D2; the cycle
        // runs through the FUSE I/O wait, so fork also waits on I/O: LATENCY is
        // reported with it. D0/D1/D3 are OK only while no eviction separates the
        // passes: see the evictions=1 test.
        ("fork-fuse",    ["OK",               "OK",           "DEADLOCK LATENCY",  "OK"]),
        // H2 exists today. The default writer is mprotect of another VMA (E): D1/D3
        // retry under F's VMA lock and never hold mmap_lock across I/O, so OK; the
        // doc's D1/D2 DEADLOCK needs the writer to lock F itself ("unless T2 needs
        // F"), which is writer-vma=same, pinned below. Not a disagreement.
        ("tried-fuse",   ["DEADLOCK LATENCY", "OK",           "OK",                "OK"]),
        // H3: fork waits for the sum of the faults' I/O only under D2.
        ("fork-io",      ["OK",               "OK",           "LATENCY",           "OK"]),
        // H4 with a file page: D0 drops before submitting readahead.
        ("writer-io",    ["OK",               "OK",           "LATENCY",           "OK"]),
        // H6 with unbounded reclaim: D1 here has vma-retry-tried=on (the knob's default);
        // the doc's "OK iff TRIED" is the knob test below.
        ("evict-retry",  ["OK",               "OK",           "OK",                "OK"]),
        // H7: the doc names D1/v2 LATENCY and D0 OK. It is silent on D2; the model says
        // LATENCY, because D2 also waits for the locked folio holding the VMA lock.
        ("folio-holder", ["OK",               "LATENCY",      "LATENCY",           "OK"]),
        // H8: every design re-finds the VMA after a drop (D1 relookup=fresh).
        ("stale-vma",    ["OK",               "OK",           "OK",                "OK"]),
        // H9: every design's vmf_anon_prepare only trylocks mmap_lock (memory.c).
        ("lock-order",   ["OK",               "OK",           "OK",                "OK"]),
        // H10: fork-lock=all (today) on every design.
        ("fork-copy",    ["OK",               "OK",           "OK",                "OK"]),
        // Scale: fork and munmap wait for the faults' disk reads under D2.
        ("many-faults",  ["OK",               "OK",           "LATENCY",           "OK"]),
    ];
    assert_rows(&matrix(&[]), expected);
}

#[test]
fn fork_lock_none_rediscovers_the_6_4_fork_race_and_all_does_not() {
    // fb49c455323f: without VMA locks in dup_mmap, a fault changes a PTE of a VMA that
    // copy_page_range is copying. anon-cow and anon-vma still lock the anonymous VMA.
    let none = matrix(&["--scenario", "fork-copy", "--set", "fork-lock=none"]);
    assert_rows(&none, &[("fork-copy", ["FORK-COPY"; 4])]);
    for lock in ["all", "anon-cow", "anon-vma"] {
        let set = format!("fork-lock={lock}");
        let got = matrix(&["--scenario", "fork-copy", "--set", &set]);
        assert_rows(&got, &[("fork-copy", ["OK"; 4])]);
    }
}

#[test]
fn vma_retry_without_tried_livelocks_under_unbounded_eviction() {
    // kernel-semantics H6: OK iff the VMA-lock retry sets TRIED.
    let off = matrix(&["--scenario", "evict-retry", "--set", "vma-retry-tried=off"]);
    assert_rows(
        &off,
        &[("evict-retry", ["OK", "LIVELOCK STARVATION", "OK", "OK"])],
    );
    // A bounded eviction budget cannot sustain a cycle.
    let bounded = matrix(&[
        "--scenario",
        "evict-retry",
        "--set",
        "vma-retry-tried=off",
        "--set",
        "evictions=4",
    ]);
    assert_rows(&bounded, &[("evict-retry", ["OK"; 4])]);
}

#[test]
fn keeping_the_old_vma_pointer_across_the_retry_is_a_use_after_free() {
    // H8: munmap + mmap between the drop and the retry; vma_start_read on the old
    // pointer touches a freed (maybe reused) VMA.
    let got = matrix(&["--scenario", "stale-vma", "--set", "relookup=keep-pointer"]);
    assert_rows(&got, &[("stale-vma", ["OK", "UAF", "OK", "OK"])]);
}

#[test]
fn a_vma_reader_taking_mmap_read_lock_deadlocks_against_vma_start_write() {
    // H9: the blocking upgrade breaks lock order in every design.
    let got = matrix(&["--scenario", "lock-order", "--set", "anon-prepare=lock"]);
    assert_rows(&got, &[("lock-order", ["DEADLOCK LOCK-ORDER"; 4])]);
}

#[test]
fn a_folio_holder_that_needs_mmap_lock_turns_latency_into_deadlock() {
    // H7: "DEADLOCK only if some step in that chain needs mmap_lock".
    let got = matrix(&["--scenario", "folio-holder", "--set", "holder-waits=mmap"]);
    assert_rows(
        &got,
        &[("folio-holder", ["OK", "DEADLOCK", "DEADLOCK", "OK"])],
    );
}

#[test]
fn fork_lock_anon_cow_helps_shared_mappings_only() {
    // D4 (kernel-semantics 4.5): shared mappings are not locked, private file
    // mappings are COW and still are.
    let got = matrix(&[
        "--design",
        "upstream",
        "--design",
        "vma-retry",
        "--design",
        "hold-io",
        "--design",
        "two-flag",
        "--scenario",
        "fork-fuse",
        "--scenario",
        "fork-io",
        "--set",
        "fork-lock=anon-cow",
        "--set",
        "mapping=shared",
    ]);
    assert_rows(&got, &[("fork-fuse", ["OK"; 4]), ("fork-io", ["OK"; 4])]);
}

/// Splits a printed replay command into arguments (none of ours need quoting).
fn words(cmd: &str) -> Vec<&str> {
    cmd.split_whitespace().skip(1).collect()
}

#[test]
fn every_violated_cell_replays_to_its_violation_and_its_graphs_render() {
    let tmp = super::temp_dir();
    let d = tmp.path().to_str().expect("utf8");
    let runs: [&[&str]; 3] = [
        &["--dot", d],
        &[
            "--dot",
            d,
            "--set",
            "vma-retry-tried=off",
            "--scenario",
            "evict-retry",
        ],
        &[
            "--dot",
            d,
            "--set",
            "relookup=keep-pointer",
            "--set",
            "fork-lock=none",
        ],
    ];
    let mut violations = 0;
    for args in runs {
        let mut all = vec!["matrix", "--json"];
        all.extend_from_slice(args);
        let o = faultline(&all);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        for cell in j["cells"].as_array().expect("cells") {
            for r in cell["results"].as_array().expect("results") {
                if r["status"] != "violated" {
                    continue;
                }
                violations += 1;
                let property = r["property"].as_str().expect("id");
                let cmd = r["replay"].as_str().expect("replay command");
                let o = faultline(&words(cmd));
                let out = super::stdout(&o);
                assert_eq!(o.status.code(), Some(1), "{cmd}: {out}");
                let line = out
                    .lines()
                    .find(|l| l.starts_with("the trace violates: "))
                    .unwrap_or_else(|| panic!("{cmd}: {out}"));
                assert!(
                    line.split([' ', ',']).any(|w| w == property),
                    "{cmd} should violate {property}: {line}"
                );
                let stem = format!(
                    "{}.{}.{property}",
                    cell["design"].as_str().expect("d"),
                    cell["scenario"].as_str().expect("s")
                );
                let liveness = ["livelock", "starvation"].contains(&property);
                let suffixes: &[&str] = if liveness {
                    &["dot", "trace.dot", "lasso.dot"]
                } else {
                    &["dot", "trace.dot"]
                };
                for suffix in suffixes {
                    let file = tmp.path().join(format!("{stem}.{suffix}"));
                    assert!(file.exists(), "{}", file.display());
                    super::renders(&file);
                }
            }
        }
    }
    assert!(violations >= 10, "{violations}");
}

#[test]
fn a_userfaultfd_server_never_deadlocks_because_uffd_waits_always_drop_the_lock() {
    // kernel-semantics H1/H2 with uffd: handle_userfault drops the fault lock before
    // sleeping under every design (D2 does not propose holding it there), and the
    // handler's UFFDIO_COPY falls back to mmap_read_lock only behind a writer that
    // never waits for the faulting thread.
    for extra in [
        [""; 2],
        ["--set", "mapping=shared"],
        ["--set", "server-fault=user"],
    ] {
        let mut args = vec![
            "--set",
            "server=uffd",
            "--scenario",
            "fork-fuse",
            "--scenario",
            "tried-fuse",
        ];
        args.extend(extra.iter().filter(|a| !a.is_empty()));
        assert_rows(
            &matrix(&args),
            &[("fork-fuse", ["OK"; 4]), ("tried-fuse", ["OK"; 4])],
        );
    }
}

#[test]
fn one_eviction_between_the_passes_gives_every_design_the_tried_pass_hazards() {
    // The doc's H3/H4 "D0/D1/D3 OK" assumes faulters hold no lock during I/O. With one
    // eviction between the passes, the FAULT_FLAG_TRIED pass re-reads holding its lock
    // (mmap_read_lock in D0, the VMA lock in D1/D3: maybe_unlock_mmap_for_io drops only
    // when fault_flag_allow_retry_first), so fork and writers wait for that I/O, and
    // with an in-process FUSE server H1 deadlocks in every design. This is the
    // document's H2 argument carried to the other rows.
    #[rustfmt::skip]
    let expected: &[(&str, [&str; 4])] = &[
        ("fork-fuse",    ["DEADLOCK LATENCY"; 4]),
        ("tried-fuse",   ["DEADLOCK LATENCY", "OK", "OK", "OK"]),
        ("fork-io",      ["LATENCY"; 4]),
        ("writer-io",    ["LATENCY"; 4]),
        ("evict-retry",  ["OK"; 4]),
        ("folio-holder", ["LATENCY"; 4]),
        ("stale-vma",    ["OK"; 4]),
        ("many-faults",  ["LATENCY"; 4]),
    ];
    let mut args = vec!["--set", "evictions=1"];
    for (s, _) in expected {
        args.extend(["--scenario", s]);
    }
    assert_rows(&matrix(&args), expected);
    // H2 with the writer on the faulting VMA: D1/D3's TRIED pass holds F's VMA lock
    // across the FUSE read and mprotect waits for it (the doc's "D1: DEADLOCK when T2
    // write-locks F").
    let same = matrix(&["--scenario", "tried-fuse", "--set", "writer-vma=same"]);
    assert_rows(&same, &[("tried-fuse", ["DEADLOCK LATENCY"; 4])]);
}

#[test]
fn a_synchronous_swap_device_makes_every_writer_wait_for_the_read() {
    // H4 with swap: do_swap_page submits the read under the fault lock and drops it
    // only to wait (OK but D2); on zram the read completes in swap_read_folio with
    // the lock held, in every design ("LATENCY bounded by submission + sync-device").
    let swap = matrix(&["--scenario", "writer-io", "--set", "page=swap"]);
    assert_rows(&swap, &[("writer-io", ["OK", "OK", "LATENCY", "OK"])]);
    let zram = matrix(&["--scenario", "writer-io", "--set", "page=zram"]);
    assert_rows(&zram, &[("writer-io", ["LATENCY"; 4])]);
}

#[test]
fn the_matrix_on_loom_agrees_and_marks_cells_over_its_thread_cap_undecided() {
    let o = faultline(&[
        "matrix",
        "--json",
        "--engine",
        "loom",
        "--scenario",
        "fork-fuse",
        "--scenario",
        "many-faults",
    ]);
    // many-faults has 5 threads: undecided on loom, so the matrix exits 3.
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    for c in j["cells"].as_array().expect("cells") {
        let verdict = c["verdict"].as_str().expect("verdict");
        match c["scenario"].as_str() {
            Some("fork-fuse") => {
                let native = if c["design"] == "hold-io" {
                    "DEADLOCK LATENCY"
                } else {
                    "OK"
                };
                assert_eq!(verdict, native, "{}", c["design"]);
                assert_eq!(c["engine"], "loom");
            }
            _ => {
                assert!(verdict.starts_with("?DEADLOCK"), "{verdict}");
                let reason = c["results"][0]["reason"].as_str().expect("reason");
                assert!(reason.contains("at most 4 model threads"), "{reason}");
            }
        }
    }
}
