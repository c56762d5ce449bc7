//! `faultline cluster`: one search over 1, 2 and 4 processes on localhost gives the
//! states, transitions, depth and verdicts of `faultline check`, and a violation's
//! counterexample of the same length that replays. Each process is the binary itself,
//! started with `-p I -n N -h hostfile` on free ports, killed after a deadline.

use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{faultline, stderr, stdout, temp_dir};

/// Longest a cluster may take before the test kills it and fails.
const DEADLINE: Duration = Duration::from_secs(300);

/// Runs `faultline cluster ARGS` as `n` processes on localhost; returns each one's
/// output. Retries on fresh ports when one was taken between choosing and binding.
fn cluster(n: usize, args: &[&str]) -> Vec<Output> {
    for _attempt in 0..3 {
        let outs = cluster_once(n, args);
        let taken = outs
            .iter()
            .any(|o| o.status.code() == Some(2) && stderr(o).contains("cannot start"));
        if !taken {
            return outs;
        }
    }
    panic!("no free ports for {n} processes after 3 attempts");
}

fn cluster_once(n: usize, args: &[&str]) -> Vec<Output> {
    let tmp = temp_dir();
    let hostfile = tmp.path().join("hosts");
    // Ports the system hands out now; freed at once, then bound by the processes.
    let ports: Vec<u16> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("binds"))
        .collect::<Vec<_>>()
        .iter()
        .map(|l| l.local_addr().expect("has an address").port())
        .collect();
    let hosts: String = ports.iter().map(|p| format!("127.0.0.1:{p}\n")).collect();
    std::fs::write(&hostfile, hosts).expect("writes the hostfile");
    let mut children: Vec<Child> = (0..n)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_faultline"))
                .arg("cluster")
                .args(args)
                .args(["-p", &i.to_string(), "-n", &n.to_string()])
                .arg("-h")
                .arg(&hostfile)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts")
        })
        .collect();
    let start = Instant::now();
    while children
        .iter_mut()
        .any(|c| c.try_wait().expect("waits").is_none())
    {
        if start.elapsed() > DEADLINE {
            for c in &mut children {
                let _ = c.kill();
            }
            panic!("cluster of {n} did not finish within {DEADLINE:?}: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("collects"))
        .collect()
}

/// `N states, M transitions, depth D` of the engine line.
fn counts(out: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.starts_with("engine"))
        .unwrap_or_else(|| panic!("no engine line in {out}"));
    let stats = line.split_once(": ").map_or("", |(_, s)| s);
    stats.split(", ").take(3).collect::<Vec<_>>().join(", ")
}

/// Each verdict line (`deadlock: holds (all 74103 reachable states explored)`,
/// `deadlock: VIOLATED (counterexample, 24 steps, found by native)`).
fn verdicts(out: &str) -> Vec<String> {
    // The one list of property ids (reader-waits-io was missing from a copy here).
    let ids = faultline_protocol::PROPERTY_IDS;
    let v: Vec<String> = out
        .lines()
        .filter(|l| l.split_once(": ").is_some_and(|(id, _)| ids.contains(&id)))
        .map(String::from)
        .collect();
    assert!(!v.is_empty(), "no verdict in {out}");
    v
}

fn same_as_check(n: usize, args: &[&str]) {
    let mut check = vec!["check"];
    check.extend_from_slice(args);
    let one = faultline(&check);
    let outs = cluster(n, args);
    for (i, o) in outs.iter().enumerate() {
        assert_eq!(
            o.status.code(),
            one.status.code(),
            "process {i} of {n}: {}",
            stderr(o)
        );
    }
    let zero = stdout(&outs[0]);
    assert_eq!(
        counts(&zero),
        counts(&stdout(&one)),
        "{n} processes: {args:?}"
    );
    assert_eq!(
        verdicts(&zero),
        verdicts(&stdout(&one)),
        "{n} processes: {args:?}"
    );
    for o in &outs[1..] {
        assert_eq!(stdout(o), "", "only process 0 prints");
    }
}

#[test]
fn one_two_and_four_processes_store_what_one_process_stores_at_three_faults() {
    for n in [1, 2, 4] {
        same_as_check(
            n,
            &[
                "upstream",
                "many-faults",
                "--set",
                "faults=3",
                "--property",
                "deadlock",
            ],
        );
        same_as_check(
            n,
            &[
                "upstream",
                "many-faults",
                "--set",
                "faults=3",
                "--property",
                "deadlock",
                "--reduce",
                "none",
            ],
        );
    }
}

#[test]
fn two_and_four_processes_store_what_one_process_stores_at_four_faults() {
    for n in [2, 4] {
        same_as_check(
            n,
            &[
                "upstream",
                "many-faults",
                "--set",
                "faults=4",
                "--property",
                "deadlock",
            ],
        );
    }
}

#[test]
fn a_violation_found_over_four_processes_has_the_length_of_check_and_replays() {
    let args = ["hold-io", "many-faults", "--set", "faults=3"];
    same_as_check(4, &args);
    let outs = cluster(4, &args);
    let zero = stdout(&outs[0]);
    let replays: Vec<&str> = zero
        .lines()
        .filter_map(|l| l.strip_prefix("replay: faultline "))
        .collect();
    assert!(!replays.is_empty(), "{zero}");
    for r in replays {
        let words: Vec<&str> = r.split_whitespace().collect();
        let o = faultline(&words);
        assert_eq!(o.status.code(), Some(1), "{r}: {}", stderr(&o));
    }
}

#[test]
fn liveness_and_a_full_budget_are_inconclusive_and_bad_cluster_input_is_one_line_exit_2() {
    let o = faultline(&["cluster", "upstream", "fork-fuse", "--property", "livelock"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("liveness needs it whole"),
        "{}",
        stdout(&o)
    );
    let o = faultline(&[
        "cluster",
        "upstream",
        "many-faults",
        "--set",
        "faults=3",
        "--property",
        "deadlock",
        "--max-states",
        "1000",
        "-w",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("stopped at the state budget"),
        "{}",
        stdout(&o)
    );
    let tmp = temp_dir();
    let bad = tmp.path().join("hosts");
    std::fs::write(&bad, "127.0.0.1:1\nnot-a-host\n").expect("writes");
    let cases: [&[&str]; 3] = [
        &["cluster", "upstream", "fork-fuse", "-p", "2", "-n", "2"],
        &[
            "cluster",
            "upstream",
            "fork-fuse",
            "-p",
            "0",
            "-n",
            "2",
            "-h",
            bad.to_str().expect("utf-8"),
        ],
        &[
            "cluster",
            "upstream",
            "fork-fuse",
            "-n",
            "3",
            "-h",
            "/nonexistent/hosts",
        ],
    ];
    for args in cases {
        let o = faultline(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}: {}", stderr(&o));
    }
}
