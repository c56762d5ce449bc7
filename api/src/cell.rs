//! [`CellVerdict`]: what one matrix cell says, computed here once so the text,
//! markdown, JSON and HTML renderers and `faultline merge` show the same thing: the
//! verdict keys, the LATENCY grade, and whether one eviction changes the verdict.

use faultline_checker::{Report, Verdict};

use crate::evidence::Evidence;
use crate::latency::Latency;

/// The mark a cell whose verdict changes with one eviction carries.
pub const EVICTION_MARK: &str = "*";

/// The knob that bounds reclaim's evictions.
pub const EVICTIONS: &str = "evictions";

/// One cell's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CellVerdict {
    /// The keys of the violated properties (`DEADLOCK`, `LATENCY`), `?KEY` for the
    /// inconclusive ones, in property order, each once; empty when all hold. These
    /// are the verdict keys `merge` and `expect` clauses read: the grade is apart.
    pub keys: Vec<String>,
    /// For a `LATENCY` key: what is waited for (the worst grade of the cell's
    /// latency counterexamples).
    pub latency: Option<Latency>,
    /// Set when the cell with evictions flipped (see [`eviction_flip`]) has other
    /// verdict keys.
    pub eviction: Option<Eviction>,
}

/// The other verdict of a cell that one eviction changes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Eviction {
    /// The setting compared with: `evictions=1`, or `evictions=0` where the cell's
    /// own setting evicts.
    pub set: String,
    /// That cell's verdict as shown ([`CellVerdict::shown`]).
    pub verdict: String,
}

impl Eviction {
    /// The other verdict `verdict` of a cell with `set` (as a shard's JSON has it).
    pub fn new(set: String, verdict: String) -> Eviction {
        Eviction { set, verdict }
    }
}

impl CellVerdict {
    /// The verdict of `report`, with the grade read off its `evidence`.
    pub fn of(report: &Report, evidence: &[Evidence]) -> CellVerdict {
        let mut keys: Vec<String> = Vec::new();
        for r in &report.results {
            let key = match &r.verdict {
                Verdict::Holds => continue,
                Verdict::Violated(_) => r.property.key().to_string(),
                Verdict::Inconclusive(_) => format!("?{}", r.property.key()),
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let latency = evidence.iter().filter_map(|e| e.latency).max();
        CellVerdict {
            keys,
            latency,
            eviction: None,
        }
    }

    /// A verdict as a shard's JSON carries it (for `faultline merge`).
    pub fn from_parts(
        keys: &str,
        latency: Option<Latency>,
        eviction: Option<Eviction>,
    ) -> CellVerdict {
        let keys = if keys == "OK" {
            Vec::new()
        } else {
            keys.split_whitespace().map(String::from).collect()
        };
        CellVerdict {
            keys,
            latency,
            eviction,
        }
    }

    /// Notes `other`, the verdict of the same cell with `set` (from
    /// [`eviction_flip`]), if its keys differ.
    pub fn compare_eviction(&mut self, set: &str, other: &CellVerdict) {
        self.eviction = (other.keys != self.keys).then(|| Eviction {
            set: set.to_string(),
            verdict: other.keys_text_graded(),
        });
    }

    /// The verdict keys: `OK` or `DEADLOCK LATENCY` (what `expect` and merge compare).
    pub fn keys_text(&self) -> String {
        if self.keys.is_empty() {
            "OK".into()
        } else {
            self.keys.join(" ")
        }
    }

    /// [`CellVerdict::shown`] without the mark: the verdict keys, LATENCY graded.
    pub fn keys_text_graded(&self) -> String {
        let mut s: Vec<&str> = self
            .keys
            .iter()
            .map(|k| match (k.as_str(), self.latency) {
                ("LATENCY", Some(l)) => l.key(),
                (k, _) => k,
            })
            .collect();
        if s.is_empty() {
            s.push("OK");
        }
        s.join(" ")
    }

    /// The cell as a table shows it: `LATENCY` graded, and [`EVICTION_MARK`] when one
    /// eviction changes the verdict: `DEADLOCK LATENCY-SERVER *`.
    pub fn shown(&self) -> String {
        let s = self.keys_text_graded();
        if self.eviction.is_some() {
            format!("{s} {EVICTION_MARK}")
        } else {
            s
        }
    }
}

/// The setting a cell is compared with for eviction sensitivity, from its knobs (set
/// or defaulted): `evictions=1` where it has none, `evictions=0` where it has some;
/// `None` for a scenario without reclaim.
pub fn eviction_flip<'a>(knobs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let (_, v) = knobs.into_iter().find(|(k, _)| *k == EVICTIONS)?;
    Some(format!("{EVICTIONS}={}", if v == "0" { "1" } else { "0" }))
}

/// The legend lines for the grades and the mark.
pub fn legend() -> String {
    let mut s = String::new();
    for l in Latency::ALL {
        s += &format!("{}: {}.\n", l.key(), l.meaning());
    }
    s += &format!(
        "{EVICTION_MARK}: one eviction changes the verdict: the cell with --set evictions=1\n\
         (evictions=0 where it evicts) is, instead:\n"
    );
    s
}
