//! The kill -9 / hung_task judgement of a deadlock ([`crate::kill`]) as text and JSON.

use std::fmt::Write;

use faultline_protocol::Process;
use serde_json::{Value, json};

use crate::kill::{Fate, Kill};

/// A deadlock's [`Kill`] and where its kernel came from, as the evidence shows it.
#[derive(Clone, Debug)]
pub struct KillReport {
    /// The judgement.
    pub kill: Kill,
    /// The kernel is the model's `kernel` knob (else the default, `newest`).
    pub kernel_knob: bool,
}

impl KillReport {
    /// The block under a deadlock, wrapped to `width` columns.
    pub fn text(&self, width: usize) -> String {
        let k = &self.kill;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "kill -9 of the process: {}",
            if k.ends { "ends it" } else { "does not end it" }
        );
        let _ = writeln!(
            s,
            "hung_task: {}",
            if k.hung_task {
                "reports it (a stuck thread sleeps uninterruptibly)"
            } else {
                "silent (every stuck thread sleeps killably)"
            }
        );
        let _ = writeln!(s, "({})", self.kernel_note());
        for t in &k.threads {
            let head = format!(
                "{} {} {}: {}; {}",
                t.tid,
                t.name,
                fate_word(t.fate),
                t.at,
                t.why
            );
            // Continuation lines are indented under the thread.
            let mut line = String::from(" ");
            for word in head.split_whitespace() {
                if line.len() > 6 && line.len() + 1 + word.len() > width {
                    let _ = writeln!(s, "{line}");
                    line = String::from("     ");
                }
                line.push(' ');
                line.push_str(word);
            }
            let _ = writeln!(s, "{line}");
        }
        s
    }

    /// The judgement as JSON.
    pub fn json(&self) -> Value {
        let k = &self.kill;
        let threads: Vec<Value> = k
            .threads
            .iter()
            .map(|t| {
                json!({
                    "thread": t.tid.to_string(),
                    "name": t.name,
                    "process": match t.process {
                        Process::Mm => "mm",
                        Process::Other => "other",
                    },
                    "at": t.at,
                    "wait": t.wait.map(|w| json!({
                        "function": w.function,
                        "sleep": w.sleep.word(),
                    })),
                    "fate": fate_word(t.fate),
                    "why": t.why,
                })
            })
            .collect();
        json!({
            "kernel": k.kernel.name(),
            "kernel_knob": self.kernel_knob,
            "ends": k.ends,
            "hung_task": k.hung_task,
            "threads": threads,
        })
    }

    /// Which kernel's sleeps the answer follows, and why that one.
    fn kernel_note(&self) -> String {
        let name = self.kill.kernel.name();
        if self.kernel_knob {
            format!("waits and sleeps as in kernel {name}, the kernel knob")
        } else {
            format!("waits and sleeps as in kernel {name}: the scenario has no kernel knob")
        }
    }
}

/// `woken`, `freed`, `stays`.
pub fn fate_word(f: Fate) -> &'static str {
    match f {
        Fate::Woken => "woken",
        Fate::Freed => "freed",
        Fate::Stays => "stays",
    }
}
