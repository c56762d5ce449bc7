//! `faultline matrix --shard I/N --json` and `faultline merge`: the merged shards print
//! the unsharded table and exit code; shards that do not fit together are refused in
//! one line, exit 2.

use std::path::{Path, PathBuf};

use super::{faultline, stderr, stdout, temp_dir};

/// A few small cells: three scenarios, two or all designs.
const SMALL: &[&str] = &[
    "--scenario",
    "fork-fuse",
    "--scenario",
    "fork-io",
    "--scenario",
    "tried-fuse",
];

/// The table with the timing of the summary line (`..., 0.46 s (87588 states/s)`)
/// cut off: merged shards show the sum of the shards' wall times there.
fn untimed(text: &str) -> String {
    text.lines()
        .map(|l| match l.find(" transitions, ") {
            Some(at) if l.contains(" cells, ") => &l[..at],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes shard `i`/`n` of `faultline matrix args --json` into `dir`.
fn shard(dir: &Path, args: &[&str], i: u64, n: u64) -> PathBuf {
    let spec = format!("{i}/{n}");
    let mut all = vec!["matrix", "--json", "--shard", spec.as_str()];
    all.extend_from_slice(args);
    let o = faultline(&all);
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{all:?}: {}",
        stderr(&o)
    );
    let path = dir.join(format!("shard{i}of{n}.json"));
    std::fs::write(&path, &o.stdout).expect("write shard");
    path
}

fn merge(files: &[PathBuf]) -> std::process::Output {
    let mut all = vec!["merge".to_string()];
    all.extend(files.iter().map(|f| f.display().to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    faultline(&refs)
}

/// Asserts one error line on stderr containing `what`, exit 2, nothing on stdout.
fn refused(o: &std::process::Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(what), "wanted `{what}` in: {err}");
    assert!(stdout(o).is_empty());
}

#[test]
fn merged_shards_print_the_unsharded_table_and_exit_code() {
    let dir = temp_dir();
    let two_designs = [SMALL, &["--design", "hold-io", "--design", "upstream"]].concat();
    // The last selection stops at a budget: the exit code 3 must survive the merge.
    let budget = [SMALL, &["--max-states", "40"]].concat();
    for args in [SMALL.to_vec(), two_designs, budget] {
        let full = faultline(&[&["matrix"], args.as_slice()].concat());
        assert!(
            matches!(full.status.code(), Some(0 | 3)),
            "{}",
            stderr(&full)
        );
        for n in [1, 3] {
            // Given in reverse: merge takes the files in any order.
            let files: Vec<PathBuf> = (1..=n)
                .rev()
                .map(|i| shard(dir.path(), &args, i, n))
                .collect();
            let merged = merge(&files);
            assert_eq!(
                merged.status.code(),
                full.status.code(),
                "{args:?} N={n}: {}",
                stderr(&merged)
            );
            assert_eq!(
                untimed(&stdout(&merged)),
                untimed(&stdout(&full)),
                "{args:?} N={n}"
            );
        }
    }
}

#[test]
fn the_budget_selection_is_inconclusive_so_the_exit_code_is_tested() {
    let o = faultline(&[&["matrix"], SMALL, &["--max-states", "40"]].concat());
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn a_shard_has_every_nth_cell_in_matrix_order() {
    let dir = temp_dir();
    let f = shard(dir.path(), SMALL, 2, 5);
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f).expect("read")).expect("json");
    let idx: Vec<u64> = j["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| c["index"].as_u64().expect("index"))
        .collect();
    // 3 scenarios x 6 designs = 18 cells; shard 2 of 5 has cells 1, 6, 11, 16.
    assert_eq!(idx, [1, 6, 11, 16]);
    assert_eq!(j["cells"][1]["scenario"], "fork-io");
    assert_eq!(j["cells"][1]["design"], "upstream");
}

#[test]
fn bad_shard_values_are_one_line_exit_2() {
    for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/3", "1/3/3", ""] {
        let arg = format!("--shard={bad}");
        let o = faultline(&["matrix", "--json", &arg, "--scenario", "fork-fuse"]);
        refused(&o, "--shard");
    }
    // A shard's text table would be partial: --json is required.
    refused(&faultline(&["matrix", "--shard", "1/2"]), "--json");
}

#[test]
fn merge_refuses_shards_that_do_not_fit_together() {
    let dir = temp_dir();
    let d = dir.path();
    let one = ["--scenario", "fork-fuse"];
    let s1 = shard(d, &one, 1, 2);
    let s2 = shard(d, &one, 2, 2);
    // A shard of another sweep, in its own directory (not to overwrite s1, s2).
    let other = |name: &str, args: &[&str], i: u64, n: u64| {
        let sub = d.join(name);
        std::fs::create_dir(&sub).expect("mkdir");
        shard(&sub, &[one.as_slice(), args].concat(), i, n)
    };
    refused(&merge(std::slice::from_ref(&s1)), "shard 2/2 is missing");
    refused(
        &merge(&[s1.clone(), s1.clone(), s2.clone()]),
        "shard 1/2 is given twice",
    );
    let of3 = other("of3.json", &[], 2, 3);
    refused(&merge(&[s1.clone(), of3]), "of 2 shards");
    let set = other("set.json", &["--set", "order=file-first"], 2, 2);
    refused(&merge(&[s1.clone(), set]), "different options");
    let reduce = other("reduce.json", &["--reduce", "none"], 2, 2);
    refused(&merge(&[s1.clone(), reduce]), "different options");
    let engine = other(
        "engine.json",
        &["--engine", "shuttle", "--executions", "10"],
        2,
        2,
    );
    refused(&merge(&[s1.clone(), engine]), "different options");
    let design = other("design.json", &["--design", "upstream"], 2, 2);
    refused(&merge(&[s1.clone(), design]), "different designs");
    let scenario = other("scenario.json", &["--scenario", "fork-io"], 2, 2);
    refused(&merge(&[s1.clone(), scenario]), "different scenarios");

    // Malformed JSON: the file, line and column of serde_json's error.
    let bad = d.join("bad.json");
    std::fs::write(&bad, "{\n  \"shard\": {\"index\": 1,\n").expect("write");
    refused(
        &merge(std::slice::from_ref(&bad)),
        &format!("{}:3:0: EOF while parsing", bad.display()),
    );
    let bad = d.join("bad2.json");
    std::fs::write(&bad, "{\"shard\": x}").expect("write");
    refused(
        &merge(std::slice::from_ref(&bad)),
        &format!("{}:1:11: expected value", bad.display()),
    );
    // Valid JSON that is no shard, and a missing file.
    let notes = d.join("notes.json");
    std::fs::write(&notes, "[1, 2]").expect("write");
    refused(&merge(&[notes]), "not a `faultline matrix --json` document");
    refused(&merge(&[d.join("absent.json")]), "cannot read");
    // A shard whose cell was moved out of its place.
    let text = std::fs::read_to_string(&s2).expect("read");
    let moved = d.join("moved.json");
    std::fs::write(&moved, text.replace("\"index\":1,", "\"index\":3,")).expect("write");
    refused(&merge(&[s1, moved]), "does not belong to shard 2/2");
}

#[test]
fn merge_refuses_a_shard_whose_verdict_contradicts_its_results() {
    let dir = temp_dir();
    let args = ["--scenario", "fork-fuse", "--design", "hold-io"];
    let f = shard(dir.path(), &args, 1, 1);
    let text = std::fs::read_to_string(&f).expect("read");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["cells"][0]["status"], "violated");
    doc["cells"][0]["verdict"] = "OK".into();
    std::fs::write(&f, doc.to_string()).expect("write");
    refused(&merge(&[f]), "contradicts its results");
}
