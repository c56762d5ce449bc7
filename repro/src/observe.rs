//! What a test's serial log shows: the watchdog's outcome and task dumps (`WD:` lines
//! from `repro/c/watchdog.c`), and from the kernel log it prints (`K:` lines) sysrq-w's
//! blocked-task traces and hung_task's reports.

/// How the test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every test thread finished.
    Complete,
    /// Test threads were still blocked when the watchdog fired.
    Hang,
    /// The test failed on its own (setup error) or the log has no outcome.
    Broken,
}

impl Outcome {
    /// `COMPLETE`, `HANG`, `BROKEN`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Complete => "COMPLETE",
            Outcome::Hang => "HANG",
            Outcome::Broken => "BROKEN",
        }
    }
}

/// A test task in the watchdog's dump.
#[derive(Clone, Debug, Default)]
pub struct Task {
    /// Role (`T1`, `S`), from its comm `fl-ROLE`.
    pub role: String,
    /// Thread id.
    pub tid: u32,
    /// Scheduler state letter (`D`, `S`).
    pub state: char,
    /// `/proc/PID/task/TID/stack`, innermost first, offsets stripped.
    pub stack: Vec<String>,
    /// sysrq-w's trace of the task (reliable frames only), innermost first.
    pub sysrq: Vec<String>,
}

impl Task {
    /// Every frame seen for it.
    pub fn frames(&self) -> impl Iterator<Item = &str> {
        self.sysrq.iter().chain(&self.stack).map(String::as_str)
    }

    /// The innermost kernel functions, scheduler frames left out.
    pub fn innermost(&self, n: usize) -> String {
        let src = if self.sysrq.is_empty() {
            &self.stack
        } else {
            &self.sysrq
        };
        src.iter()
            .filter(|f| !is_sched(f))
            .take(n)
            .cloned()
            .collect::<Vec<_>>()
            .join("<")
    }
}

fn is_sched(f: &str) -> bool {
    matches!(
        f,
        "__schedule"
            | "schedule"
            | "schedule_preempt_disabled"
            | "io_schedule"
            | "schedule_timeout"
            | "__switch_to_asm"
            | "__switch_to"
    )
}

/// Everything the log says.
#[derive(Clone, Debug)]
pub struct Observation {
    /// The guest kernel's `uname -r`.
    pub uname: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Tasks at the hang (empty if it completed).
    pub hung: Vec<Task>,
    /// Tasks 3 s after SIGKILL of the test process.
    pub after_kill: Vec<Task>,
    /// The test process was reaped after SIGKILL.
    pub reaped: bool,
    /// Roles hung_task reported before the SIGKILL.
    pub hung_task: Vec<String>,
    /// The kernel's text symbols (its System.map), when known: a frame the model names
    /// that is not among them was inlined by this build and cannot be on a stack.
    pub text_symbols: Option<std::collections::HashSet<String>>,
}

impl Observation {
    /// Adds the text symbols of a System.map (`ADDRESS TYPE NAME` lines).
    pub fn with_system_map(mut self, map: &str) -> Observation {
        self.text_symbols = Some(
            map.lines()
                .filter_map(|l| {
                    let mut it = l.split_whitespace();
                    let (_, ty, name) = (it.next()?, it.next()?, it.next()?);
                    matches!(ty, "t" | "T").then(|| name.trim_start_matches('_').to_string())
                })
                .collect(),
        );
        self
    }

    /// Whether this kernel inlined `f` (it has a System.map without that symbol).
    pub fn inlined(&self, f: &str) -> bool {
        self.text_symbols
            .as_ref()
            .is_some_and(|s| !s.contains(f.trim_start_matches('_')))
    }

    /// `kill -9` ended the hang: the process was reaped, or no task is still in the
    /// wait it was in (an in-process server's exit may stick afterwards in FUSE's own
    /// exit path; that is another wait, reported by the dump).
    pub fn killable(&self) -> bool {
        self.reaped
            || !self.hung.iter().filter(|t| t.state == 'D').any(|h| {
                self.after_kill
                    .iter()
                    .any(|k| k.tid == h.tid && k.state == 'D' && k.stack == h.stack)
            })
    }

    /// The task of a role at the hang.
    pub fn task(&self, role: &str) -> Option<&Task> {
        self.hung.iter().find(|t| t.role == role)
    }
}

/// `K: <6>[   17.264900] text` (the kernel log as the watchdog prints it) or
/// `[   17.264900] text` (the console) -> `text`.
fn strip_ts(line: &str) -> &str {
    let mut l = line.trim_end();
    if let Some(k) = l.strip_prefix("K: ") {
        l = k;
        if l.starts_with('<')
            && let Some(i) = l.find('>')
        {
            l = &l[i + 1..];
        }
    }
    if l.starts_with('[')
        && let Some(i) = l.find("] ")
    {
        return &l[i + 2..];
    }
    l
}

/// `func+0x13d/0x350 [fuse]` -> `func`.
fn func(s: &str) -> String {
    s.split(['+', ' ']).next().unwrap_or("").to_string()
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// Parses a serial log.
pub fn observe(log: &str) -> Observation {
    let mut o = Observation {
        uname: String::new(),
        outcome: Outcome::Broken,
        hung: Vec::new(),
        after_kill: Vec::new(),
        reaped: false,
        hung_task: Vec::new(),
        text_symbols: None,
    };
    let mut killed = false;
    // sysrq-w trace being read: (role, frames)
    let mut sysrq: Option<(String, Vec<String>)> = None;
    let mut traces: Vec<(String, Vec<String>)> = Vec::new();
    for raw in log.lines() {
        let line = strip_ts(raw);
        if let Some(rest) = line.find("TEST: start ").map(|i| &line[i + 12..]) {
            o.uname = rest
                .split(' ')
                .skip_while(|w| *w != "kernel")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(':')
                .to_string();
        } else if let Some(rest) = line.strip_prefix("WD: OUTCOME ") {
            o.outcome = match rest.split(' ').next() {
                Some("COMPLETE") => Outcome::Complete,
                Some("HANG") => Outcome::Hang,
                _ => Outcome::Broken,
            };
        } else if let Some(rest) = line.strip_prefix("WD: TASK ") {
            let task = Task {
                role: field(rest, "role").unwrap_or("").to_string(),
                tid: field(rest, "tid").and_then(|t| t.parse().ok()).unwrap_or(0),
                state: field(rest, "state")
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?'),
                stack: field(rest, "stack")
                    .filter(|s| *s != "-")
                    .map(|s| s.split('<').map(String::from).collect())
                    .unwrap_or_default(),
                sysrq: Vec::new(),
            };
            match field(rest, "phase") {
                Some("hang") => o.hung.push(task),
                Some("killed") => o.after_kill.push(task),
                _ => {}
            }
        } else if line.starts_with("WD: SIGKILL") {
            killed = true;
        } else if let Some(rest) = line.strip_prefix("WD: KILL ") {
            o.reaped = field(rest, "reaped") == Some("yes");
        } else if let Some(rest) = line.strip_prefix("INFO: task fl-") {
            if !killed && let Some(role) = rest.split(':').next() {
                o.hung_task.push(role.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("task:fl-").filter(|_| !killed) {
            if let Some(done) = sysrq.take() {
                traces.push(done);
            }
            let role = rest.split_whitespace().next().unwrap_or("").to_string();
            sysrq = Some((role, Vec::new()));
        } else if let Some((_, frames)) = sysrq.as_mut() {
            let t = line.trim();
            if t == "</TASK>" || t.starts_with("task:") {
                if let Some(done) = sysrq.take() {
                    traces.push(done);
                }
            } else if !t.starts_with('?')
                && !t.starts_with('<')
                && !t.contains(": ")
                && !t.starts_with("Call Trace")
                && t.contains("+0x")
            {
                frames.push(func(t));
            }
        }
    }
    if let Some(done) = sysrq.take() {
        traces.push(done);
    }
    for (role, frames) in traces {
        if let Some(t) = o
            .hung
            .iter_mut()
            .find(|t| t.role == role && t.sysrq.is_empty())
        {
            t.sysrq = frames;
        }
    }
    o.hung_task.sort();
    o.hung_task.dedup();
    o
}
