//! The pinned verdict matrix: `faultline matrix --json`, cell by cell, against the
//! expectations of kernel-semantics section 5 (OK / DEADLOCK / LATENCY / LIVELOCK /
//! UAF ... per design). The default matrix is pinned by the catalog files' `expect`
//! clauses; the knob variants below. Where the model's answer differs from the
//! document, or the document is [inferred] or silent, the reason sits next to the
//! expectation.

use super::{DESIGNS, faultline, stderr};

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
fn assert_rows(got: &[(String, String, String)], expected: &[(&str, [&str; 6])]) {
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

/// The default matrix as the catalog files pin it: for every matrix scenario and
/// design, the verdict each `expect` clause without `with` implies (the violated
/// properties' keys in the scenario's order, or `OK`). Every property of every cell
/// must be stated, and never both ways.
fn pinned_by_the_files() -> Vec<(String, String, String)> {
    let cat = faultline_models::Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let clauses = cat.compiler().expects(&[]);
    let mut out = Vec::new();
    for s in cat.matrix_scenarios() {
        for d in cat.designs() {
            let mut keys: Vec<&str> = Vec::new();
            for p in &s.properties {
                let stated: Vec<bool> = clauses
                    .iter()
                    .filter(|c| c.scenario == s.id && c.with.is_empty())
                    .filter(|c| c.designs.iter().any(|x| x == d.id))
                    .flat_map(|c| c.props.iter().filter(|(q, _)| q == p).map(|(_, v)| *v))
                    .collect();
                assert!(
                    !stated.is_empty(),
                    "{}: no expect clause says whether {} x {} violates `{p}`",
                    s.file,
                    d.id,
                    s.id
                );
                assert!(
                    stated.iter().all(|v| *v == stated[0]),
                    "{}: {} x {} `{p}` is expected both ways",
                    s.file,
                    d.id,
                    s.id
                );
                let key = faultline_checker::Property::parse(p)
                    .unwrap_or_else(|| panic!("property {p}"))
                    .key();
                if stated[0] && !keys.contains(&key) {
                    keys.push(key);
                }
            }
            let verdict = if keys.is_empty() {
                "OK".to_string()
            } else {
                keys.join(" ")
            };
            out.push((s.id.to_string(), d.id.to_string(), verdict));
        }
    }
    out
}

#[test]
fn the_default_matrix_is_what_the_catalog_files_expect() {
    // The expectations (kernel-semantics section 5, and why the model differs where it
    // does) live beside the scenarios, in models/fl/*.fl's `expect` clauses.
    let mut want = pinned_by_the_files();
    assert_eq!(want.len(), 84, "14 scenarios x 6 designs");
    let mut got = matrix(&[]);
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn fork_lock_none_rediscovers_the_6_4_fork_race_and_all_does_not() {
    // fb49c455323f: without VMA locks in dup_mmap, a fault changes a PTE of a VMA that
    // copy_page_range is copying. anon-cow and anon-vma still lock the anonymous VMA.
    let none = matrix(&["--scenario", "fork-copy", "--set", "fork-lock=none"]);
    assert_rows(&none, &[("fork-copy", ["FORK-COPY"; 6])]);
    for lock in ["all", "anon-cow", "anon-vma"] {
        let set = format!("fork-lock={lock}");
        let got = matrix(&["--scenario", "fork-copy", "--set", &set]);
        assert_rows(&got, &[("fork-copy", ["OK"; 6])]);
    }
}

#[test]
fn fork_guard_breaks_the_anon_vma_fork_predicate_and_shared_maps_break_is_cow_mapping() {
    // Hz9 (Lorenzo Stoakes, <agxbq1TxJdniMQT3@lucifer>, <agxhwM9i-in8TpIz@lucifer>):
    // MADV_GUARD_INSTALL writes PTE markers under the VMA read lock, and VM_MAYBE_GUARD
    // makes vma_needs_copy copy a VMA without an anon_vma.
    let row = |sets: &[&str]| {
        let mut args = vec!["--scenario", "fork-guard"];
        for s in sets {
            args.extend(["--set", s]);
        }
        matrix(&args)
    };
    assert_rows(&row(&[]), &[("fork-guard", ["OK"; 6])]);
    assert_rows(
        &row(&["fork-lock=anon-vma"]),
        &[("fork-guard", ["FORK-COPY"; 6])],
    );
    assert_rows(&row(&["fork-lock=anon-cow"]), &[("fork-guard", ["OK"; 6])]);
    assert_rows(
        &row(&["fork-lock=anon-cow", "vma=shared"]),
        &[("fork-guard", ["FORK-COPY"; 6])],
    );
    assert_rows(
        &row(&["fork-lock=anon-write", "vma=readonly"]),
        &[("fork-guard", ["FORK-COPY"; 6])],
    );
    // The anonymous VMA without an anon_vma falls back to mmap_read_lock (msg 058).
    assert_rows(
        &row(&["fork-lock=none", "vma=anon"]),
        &[("fork-guard", ["OK"; 6])],
    );
}

#[test]
fn vma_retry_without_tried_livelocks_under_unbounded_eviction() {
    // kernel-semantics H6: OK iff the VMA-lock retry sets TRIED.
    let off = matrix(&["--scenario", "evict-retry", "--set", "vma-retry-tried=off"]);
    assert_rows(
        &off,
        &[(
            "evict-retry",
            ["OK", "LIVELOCK STARVATION", "OK", "OK", "OK", "OK"],
        )],
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
    assert_rows(&bounded, &[("evict-retry", ["OK"; 6])]);
}

#[test]
fn keeping_the_old_vma_pointer_across_the_retry_is_a_use_after_free() {
    // H8: munmap + mmap between the drop and the retry; vma_start_read on the old
    // pointer touches a freed (maybe reused) VMA.
    let got = matrix(&["--scenario", "stale-vma", "--set", "relookup=keep-pointer"]);
    assert_rows(
        &got,
        &[("stale-vma", ["OK", "UAF", "OK", "OK", "OK", "OK"])],
    );
}

#[test]
fn a_vma_reader_taking_mmap_read_lock_deadlocks_against_vma_start_write() {
    // H9: the blocking upgrade breaks lock order in every design.
    let got = matrix(&["--scenario", "lock-order", "--set", "anon-prepare=lock"]);
    assert_rows(&got, &[("lock-order", ["DEADLOCK LOCK-ORDER"; 6])]);
}

#[test]
fn a_folio_holder_that_needs_mmap_lock_turns_latency_into_deadlock() {
    // H7: "DEADLOCK only if some step in that chain needs mmap_lock".
    let got = matrix(&["--scenario", "folio-holder", "--set", "holder-waits=mmap"]);
    assert_rows(
        &got,
        &[(
            "folio-holder",
            ["OK", "DEADLOCK", "DEADLOCK", "DEADLOCK", "OK", "DEADLOCK"],
        )],
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
        "hold-file",
        "--design",
        "two-flag",
        "--design",
        "approach3",
        "--scenario",
        "fork-fuse",
        "--scenario",
        "fork-io",
        "--set",
        "fork-lock=anon-cow",
        "--set",
        "mapping=shared",
    ]);
    assert_rows(&got, &[("fork-fuse", ["OK"; 6]), ("fork-io", ["OK"; 6])]);
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
            &[("fork-fuse", ["OK"; 6]), ("tried-fuse", ["OK"; 6])],
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
    let expected: &[(&str, [&str; 6])] = &[
        ("fork-fuse",    ["DEADLOCK LATENCY"; 6]),
        ("tried-fuse",   ["DEADLOCK LATENCY", "OK", "OK", "OK", "OK", "OK"]),
        ("fork-io",      ["LATENCY"; 6]),
        ("writer-io",    ["LATENCY"; 6]),
        ("evict-retry",  ["OK"; 6]),
        ("folio-holder", ["LATENCY"; 6]),
        ("stale-vma",    ["OK"; 6]),
        ("many-faults",  ["LATENCY"; 6]),
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
    assert_rows(&same, &[("tried-fuse", ["DEADLOCK LATENCY"; 6])]);
}

#[test]
fn a_synchronous_swap_device_makes_every_writer_wait_for_the_read() {
    // H4 with swap: do_swap_page submits the read under the fault lock and drops it
    // only to wait (OK but D2); on zram the read completes in swap_read_folio with
    // the lock held, in every design ("LATENCY bounded by submission + sync-device").
    let swap = matrix(&["--scenario", "writer-io", "--set", "page=swap"]);
    assert_rows(
        &swap,
        &[("writer-io", ["OK", "OK", "LATENCY", "OK", "OK", "OK"])],
    );
    let zram = matrix(&["--scenario", "writer-io", "--set", "page=zram"]);
    assert_rows(&zram, &[("writer-io", ["LATENCY"; 6])]);
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
                let native = if ["hold-io", "hold-file", "approach3"]
                    .contains(&c["design"].as_str().unwrap_or(""))
                {
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

#[test]
fn one_eviction_and_the_latency_grade_show_in_text_markdown_and_json() {
    // Issue 16: `upstream` is OK in fork-fuse only while reclaim stays away; with
    // evictions=1 the TRIED pass holds the VMA lock across the FUSE read and fork
    // deadlocks. hold-io deadlocks either way: no mark, graded by the FUSE server.
    let args = [
        "matrix",
        "--scenario",
        "fork-fuse",
        "--design",
        "upstream",
        "--design",
        "hold-io",
    ];
    let text = super::stdout(&faultline(&args));
    assert!(
        text.contains("fork-fuse  OK *      DEADLOCK LATENCY-SERVER\n"),
        "{text}"
    );
    assert!(
        text.contains("LATENCY-SERVER: it waits for a userspace FUSE or uffd server"),
        "{text}"
    );
    assert!(
        text.contains("  fork-fuse x upstream: OK; with evictions=1: DEADLOCK LATENCY-SERVER\n"),
        "{text}"
    );
    assert!(!text.contains("fork-fuse x hold-io"), "{text}");
    let md = super::stdout(&faultline(&[&args[..], &["--markdown"]].concat()));
    assert!(
        md.contains("| fork-fuse | OK * | DEADLOCK LATENCY-SERVER |"),
        "{md}"
    );
    assert!(md.contains("\\*: one eviction changes the verdict"), "{md}");
    let o = faultline(&[&args[..], &["--json"]].concat());
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let up = &j["cells"][0];
    assert_eq!(up["verdict"], "OK", "the verdict keys are unchanged");
    assert_eq!(up["shown"], "OK *");
    assert_eq!(up["eviction"]["set"], "evictions=1");
    assert_eq!(up["eviction"]["verdict"], "DEADLOCK LATENCY-SERVER");
    let hold = &j["cells"][1];
    assert_eq!(hold["verdict"], "DEADLOCK LATENCY");
    assert_eq!(hold["latency"], "server");
    assert!(hold["eviction"].is_null());
}
