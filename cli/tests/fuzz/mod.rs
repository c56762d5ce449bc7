//! A fuzz test of the command line: random argument vectors drawn from the grammar
//! (subcommands, flags, valid values, and hostile ones: non-UTF-8 bytes, huge and
//! negative numbers, empty and very long values). Every run is bounded in time;
//! none may panic, exit outside 0-3, or print on stderr when it exits 0, 1 or 3,
//! and exit 2 is one line. `FAULTLINE_FUZZ_RUNS` and `FAULTLINE_FUZZ_SEED` override
//! the count and the seed; the test prints both and the result.

use std::ffi::OsString;
use std::io::Write as _;
use std::os::unix::ffi::OsStringExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::temp_dir;

/// Runs by default: enough to meet every flag many times, a few seconds of work.
const RUNS: u64 = 400;
/// A run that takes longer has hung.
const TIMEOUT: Duration = Duration::from_secs(60);

const COMMANDS: &[&str] = &[
    "list",
    "check",
    "matrix",
    "explain",
    "report",
    "replay",
    "test",
    "show",
    "export",
    "merge",
    "repro",
    "completions",
    "man",
    "help",
];
const DESIGNS: &[&str] = &[
    "upstream",
    "vma-retry",
    "hold-io",
    "hold-file",
    "two-flag",
    "approach3",
    "mine",
];
const SCENARIOS: &[&str] = &[
    "fork-fuse",
    "tried-fuse",
    "fork-io",
    "writer-io",
    "evict-retry",
    "folio-holder",
    "stale-vma",
    "lock-order",
    "fork-copy",
    "many-faults",
    "kernel-h2",
    "kernel-wb",
];
/// `.fl` files the run's directory holds (`good.fl` defines design `mine`), and ones
/// that are not there or are not files.
const FILES: &[&str] = &[
    "good.fl",
    "bad.fl",
    "missing.fl",
    "plain",
    ".",
    "-",
    "fifo.fl",
    "/dev/zero",
    "adir",
];
const GOOD_FL: &str = "design mine {\n\ttitle \"never waits\";\n\tbool drops_lock_for_io(fault_lock, page) { return 1; }\n}\n";
const BAD_FL: &str =
    "design mine {\n\ttitle \"t\";\n\tbool drops_lock_for_io(fault_lock, page) { retrun 1; }\n";
const CASES: &[&str] = &["h2", "wb", "proc-quiet", "nope"];
const KERNELS: &[&str] = &["6.1", "6.12", "7.3", "all", "5.10"];
const SERIES: &[&str] = &["v2", "rip-out", "all", "nope"];
const PROPERTIES: &[&str] = &[
    "deadlock",
    "livelock",
    "fork-waits-io",
    "vma-use",
    "latency",
];
const FORMATS: &[&str] = &["text", "json", "dot", "splat", "svg"];
const ENGINES: &[&str] = &["native", "loom", "shuttle", "spin"];
const SETS: &[&str] = &[
    "mapping=shared",
    "faults=2",
    "faults=99",
    "evictions=1",
    "order=file-first",
    "server=uffd",
    "vma-retry-tried=off",
    "=",
    "x=",
    "novalue",
];
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "7",
    "500",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "0.1",
];
const SIZES: &[&str] = &[
    "1G",
    "64M",
    "0M",
    "1",
    "1000000",
    "2GiB",
    "99999999999T",
    "lots",
];
const DIRS: &[&str] = &["out", "sub/dir", "plain", ".", "out/"];
const TOKENS: &[&str] = &[
    "t0,t0,t0",
    "t0|t0",
    "t0,t0,t0,t1,t1,t1,t1,t1,t2,t2,t2",
    "01.2",
    "zz",
];
const SHARDS: &[&str] = &[
    "1/2",
    "2/2",
    "1/1",
    "18446744073709551615/18446744073709551615",
    "0/2",
    "3/2",
];
const THREADS: &[&str] = &["1", "2", "200", "65535", "0", "65536"];
const NONE: &[&str] = &[];

/// The flags a subcommand takes, each with the pool its value comes from (`NONE`: a
/// switch).
fn flags(cmd: &str) -> &'static [(&'static str, &'static [&'static str])] {
    const MODEL: &[(&str, &[&str])] = &[
        ("--set", SETS),
        ("--property", PROPERTIES),
        ("--max-states", NUMBERS),
        ("--max-memory", SIZES),
        ("--dot", DIRS),
        ("--format", FORMATS),
        ("--json", NONE),
        ("--engine", ENGINES),
        ("--executions", NUMBERS),
        ("--seed", NUMBERS),
        ("--quiet", NONE),
        ("-h", NONE),
        ("--bogus", NONE),
        ("--file", FILES),
        ("--threads", THREADS),
    ];
    const SELECT: &[(&str, &[&str])] = &[
        ("--design", DESIGNS),
        ("--scenario", SCENARIOS),
        ("--set", SETS),
        ("--max-states", NUMBERS),
        ("--max-memory", SIZES),
        ("--dot", DIRS),
        ("--out", DIRS),
        ("--json", NONE),
        ("--markdown", NONE),
        ("--engine", ENGINES),
        ("--executions", NUMBERS),
        ("--quiet", NONE),
        ("--help", NONE),
        ("--file", FILES),
        ("--shard", SHARDS),
        ("--threads", THREADS),
    ];
    const TEST: &[(&str, &[&str])] = &[
        ("--max-states", NUMBERS),
        ("--max-memory", SIZES),
        ("--file", FILES),
        ("--quiet", NONE),
    ];
    const EXPORT: &[(&str, &[&str])] = &[
        ("--set", SETS),
        ("--format", &["promela", "dot", ""]),
        ("-o", DIRS),
        ("--file", FILES),
        ("--quiet", NONE),
    ];
    // `repro` always gets `--predict` (added in `argv`): the fuzz never boots kernels.
    const REPRO: &[(&str, &[&str])] = &[
        ("--kernel", KERNELS),
        ("--design", SERIES),
        ("--predict", NONE),
    ];
    const OTHER: &[(&str, &[&str])] = &[("--version", NONE), ("--help", NONE), ("-q", NONE)];
    match cmd {
        "check" | "explain" | "replay" => MODEL,
        "matrix" | "report" | "list" => SELECT,
        "export" | "show" => EXPORT,
        "repro" => REPRO,
        "test" => TEST,
        _ => OTHER,
    }
}

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// One word: mostly from the grammar, sometimes hostile.
fn word(r: &mut Rng, pool: &[&str]) -> OsString {
    if pool.is_empty() {
        return OsString::from("extra");
    }
    match r.below(60) {
        0 => OsString::from_vec(vec![0xff, 0xfe, b'x']),
        1 => OsString::new(),
        2 => OsString::from("y".repeat(20_000)),
        3 => OsString::from(format!("{}", r.next())),
        4 => OsString::from("--"),
        _ => OsString::from(r.pick(pool)),
    }
}

fn argv(r: &mut Rng) -> Vec<OsString> {
    let mut a = Vec::new();
    if r.below(30) != 0 {
        a.push(OsString::from(r.pick(COMMANDS)));
    } else {
        a.push(word(r, COMMANDS));
    }
    let cmd = a[0].to_str().unwrap_or("").to_string();
    let positionals: &[&[&str]] = match cmd.as_str() {
        "check" | "explain" => &[DESIGNS, SCENARIOS],
        "replay" => &[DESIGNS, SCENARIOS, TOKENS],
        "export" => &[DESIGNS, SCENARIOS],
        "show" => &[FILES, DESIGNS, SCENARIOS],
        "test" | "merge" => &[FILES],
        "repro" => &[CASES],
        "completions" => &[&["bash", "zsh", "fish", "tcsh"]],
        "help" => &[COMMANDS],
        _ => &[],
    };
    // Usually the right number of positionals, sometimes one short or one over.
    let count = match r.below(8) {
        0 => positionals.len().saturating_sub(1),
        1 => positionals.len() + 1,
        _ => positionals.len(),
    };
    for i in 0..count {
        a.push(word(r, positionals.get(i).copied().unwrap_or(SCENARIOS)));
    }
    let options = flags(&cmd);
    for _ in 0..r.below(4) {
        let (flag, pool) = options[r.below(options.len())];
        if pool.is_empty() {
            a.push(OsString::from(flag));
        } else if r.below(4) == 0 {
            // `--flag=value`
            let mut f = OsString::from(format!("{flag}="));
            f.push(word(r, pool));
            a.push(f);
        } else {
            a.push(OsString::from(flag));
            if r.below(12) != 0 {
                a.push(word(r, pool));
            }
        }
    }
    if cmd == "repro" {
        a.push("--predict".into());
    }
    if cmd == "report" && r.below(3) != 0 {
        a.push("--out".into());
        a.push(word(r, DIRS));
    }
    // Bound the work of the commands that explore, unless the run already set it.
    if ["check", "matrix", "explain", "report", "test"].contains(&cmd.as_str()) {
        let has = |a: &[OsString], f: &str| {
            a.iter()
                .any(|w| w.to_str().is_some_and(|w| w.starts_with(f)))
        };
        if !has(&a, "--max-states") {
            a.push("--max-states".into());
            a.push("3000".into());
        }
        if !["explain", "report", "test"].contains(&cmd.as_str()) && !has(&a, "--executions") {
            a.push("--executions".into());
            a.push("30".into());
        }
        cap_exhaustive_executions(&mut a);
    }
    a
}

/// A run that asks loom or shuttle for 2^64-1 executions asks for exhaustive DFS of
/// every cell: long by request, not a hang (`matrix --engine loom`: 3.7 s at 500
/// executions, over 100 s at 2^64-1, which two of 10,000 runs in a CI run drew). The
/// largest value stays in the grammar for every other flag and engine; here it becomes
/// 500, which still runs the engine past the default cap of 30.
fn cap_exhaustive_executions(a: &mut [OsString]) {
    let words: Vec<String> = a.iter().map(|w| w.to_string_lossy().into_owned()).collect();
    let dfs = words.iter().enumerate().any(|(i, w)| {
        let engine = w.strip_prefix("--engine=").or_else(|| {
            (w == "--engine")
                .then(|| words.get(i + 1).map(String::as_str))
                .flatten()
        });
        matches!(engine, Some("loom" | "shuttle"))
    });
    if !dfs {
        return;
    }
    for i in 0..a.len() {
        let w = &words[i];
        if w == "--executions=18446744073709551615" {
            a[i] = "--executions=500".into();
        } else if w == "18446744073709551615" && i > 0 && words[i - 1] == "--executions" {
            a[i] = "500".into();
        }
    }
}

/// An error in a `.fl` file: `file:line:col: message` first, then the source line
/// and a caret, as codespan renders it (the one exit-2 error that is not one line).
fn file_diagnostic(stderr: &str) -> bool {
    let first = stderr.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("faultline: error: ") else {
        return false;
    };
    let mut parts = rest.splitn(4, ':');
    let (_file, line, col) = (parts.next(), parts.next(), parts.next());
    let number =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    number(line) && number(col) && stderr.contains('^')
}

/// What went wrong with one run, if anything.
fn judge(code: Option<i32>, stderr: &str) -> Option<String> {
    let Some(code) = code else {
        return Some("killed by a signal".into());
    };
    if stderr.contains("panicked") || stderr.contains("internal error") {
        return Some(format!("panic: {stderr}"));
    }
    match code {
        0 | 1 | 3 if !stderr.is_empty() => Some(format!("exit {code} with stderr: {stderr}")),
        2 if stderr.lines().count() != 1 && !file_diagnostic(stderr) => {
            Some(format!("exit 2 not one line: {stderr}"))
        }
        0..=3 => None,
        _ => Some(format!("exit {code}: {stderr}")),
    }
}

/// CI seed 0x5710c8e7 drew `matrix --engine loom --executions 18446744073709551615`
/// twice, and each ran past the 60 s limit.
#[test]
fn exhaustive_loom_or_shuttle_executions_are_capped_other_engines_keep_theirs() {
    let max = "18446744073709551615";
    let run = |words: &[&str]| {
        let mut a: Vec<OsString> = words.iter().map(OsString::from).collect();
        cap_exhaustive_executions(&mut a);
        a.iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(&["matrix", "--engine", "loom", "--executions", max]),
        ["matrix", "--engine", "loom", "--executions", "500"]
    );
    let shuttle = format!("--executions={max}");
    assert_eq!(
        run(&["check", "--engine=shuttle", &shuttle]),
        ["check", "--engine=shuttle", "--executions=500"]
    );
    assert_eq!(
        run(&["matrix", "--engine", "native", "--executions", max]),
        ["matrix", "--engine", "native", "--executions", max]
    );
    assert_eq!(
        run(&["matrix", "--engine", "loom", "--max-states", max]),
        ["matrix", "--engine", "loom", "--max-states", max]
    );
}

#[test]
fn random_command_lines_never_panic_and_exit_0_to_3() {
    let runs = std::env::var("FAULTLINE_FUZZ_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(RUNS);
    let seed = std::env::var("FAULTLINE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f417);
    let cwd = temp_dir();
    std::fs::write(
        cwd.path().join("plain"),
        "a file where a directory is wanted",
    )
    .expect("write");
    std::fs::write(cwd.path().join("good.fl"), GOOD_FL).expect("write");
    std::fs::write(cwd.path().join("bad.fl"), BAD_FL).expect("write");
    let made = Command::new("mkfifo")
        .arg(cwd.path().join("fifo.fl"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::fs::create_dir(cwd.path().join("adir")).expect("mkdir");
    let mut r = Rng(seed | 1);
    let mut failures = Vec::new();
    let mut codes = [0u64; 4];
    let start = Instant::now();
    // As many runs at once as there are cores.
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let mut running: Vec<(u64, Vec<OsString>, std::process::Child, Instant)> = Vec::new();
    let mut next = 0;
    while next < runs || !running.is_empty() {
        while next < runs && running.len() < workers {
            let args = argv(&mut r);
            // Some runs under an address-space limit, as on a small CI machine.
            let mut cmd = if r.below(25) == 0 {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(r#"ulimit -v 1000000 && exec "$0" "$@""#)
                    .arg(env!("CARGO_BIN_EXE_faultline"));
                c
            } else {
                Command::new(env!("CARGO_BIN_EXE_faultline"))
            };
            let child = cmd
                .args(&args)
                .current_dir(cwd.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawns");
            running.push((next, args, child, Instant::now()));
            next += 1;
        }
        let mut k = 0;
        while k < running.len() {
            let (i, _, child, begun) = &mut running[k];
            let status = match child.try_wait().expect("waits") {
                Some(s) => Some(s),
                None if begun.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    None
                }
                None => {
                    k += 1;
                    continue;
                }
            };
            let i = *i;
            let (_, args, mut child, _) = running.swap_remove(k);
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            let verdict = match status {
                None => Some(format!("no exit within {TIMEOUT:?}")),
                Some(s) => {
                    if let Some(c) = s.code().and_then(|c| usize::try_from(c).ok())
                        && c < 4
                    {
                        codes[c] += 1;
                    }
                    judge(s.code(), &err)
                }
            };
            if let Some(why) = verdict {
                let shown: Vec<String> = args
                    .iter()
                    .map(|a| {
                        let s = a.to_string_lossy();
                        if s.len() > 40 {
                            format!("{}...", s.chars().take(40).collect::<String>())
                        } else {
                            s.into_owned()
                        }
                    })
                    .collect();
                failures.push(format!("run {i}: faultline {shown:?}: {why}"));
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = writeln!(
        std::io::stderr(),
        "fuzz: {runs} runs (seed {seed:#x}) in {:.1} s: exit 0: {}, 1: {}, 2: {}, 3: {}; \
         {} failures",
        start.elapsed().as_secs_f64(),
        codes[0],
        codes[1],
        codes[2],
        codes[3],
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_judge_catches_what_it_must() {
    assert_eq!(judge(Some(0), ""), None);
    assert_eq!(judge(Some(2), "faultline: error: x\n"), None);
    assert!(judge(Some(0), "progress\n").is_some());
    assert!(judge(Some(2), "a\nb\n").is_some());
    assert_eq!(
        judge(
            Some(2),
            "faultline: error: bad.fl:3:45: expected a statement\n  |\n3 |  x\n  |  ^\n"
        ),
        None
    );
    assert!(judge(Some(2), "faultline: error: bad.fl: no\nmore\n").is_some());
    assert!(judge(Some(101), "").is_some());
    assert!(judge(None, "").is_some());
    assert!(judge(Some(2), "faultline: internal error: panicked at x\n").is_some());
}
