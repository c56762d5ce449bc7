//! State-space reductions, behind one interface the search calls: which successors of
//! a state to explore ([`Reducer::ample`]) and which representative of a state to
//! store ([`Reducer::canonical`]).
//!
//! | module | holds |
//! |---|---|
//! | `por` | partial-order reduction: persistent sets from op footprints |
//! | `symmetry` | symmetry reduction: interchangeable threads and folios, sorted |
//!
//! Liveness needs the whole state graph under fairness, so a check that includes a
//! liveness property runs unreduced (and the report says so).

mod por;
mod symmetry;

use std::fmt;

use faultline_protocol::{Machine, Renaming, Step, World};

use crate::property::Property;

pub(crate) use self::por::{Ample, Por};
pub(crate) use self::symmetry::Symmetry;

/// Which reductions a check may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduce {
    /// None: every interleaving, every state (the counts pinned in tests).
    None,
    /// Partial-order reduction only.
    Por,
    /// Symmetry reduction only.
    Symmetry,
    /// Both.
    #[default]
    All,
}

impl Reduce {
    /// Every choice.
    pub const ALL: &'static [Reduce] = &[Reduce::None, Reduce::Por, Reduce::Symmetry, Reduce::All];

    /// Stable id (`none`, `por`, `symmetry`, `all`).
    pub fn id(self) -> &'static str {
        match self {
            Reduce::None => "none",
            Reduce::Por => "por",
            Reduce::Symmetry => "symmetry",
            Reduce::All => "all",
        }
    }

    /// The choice with this id.
    pub fn parse(id: &str) -> Option<Reduce> {
        Reduce::ALL.iter().copied().find(|r| r.id() == id)
    }

    fn por(self) -> bool {
        matches!(self, Reduce::Por | Reduce::All)
    }

    fn symmetry(self) -> bool {
        matches!(self, Reduce::Symmetry | Reduce::All)
    }
}

impl fmt::Display for Reduce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which reductions actually ran, and why one asked for did not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reductions {
    /// Partial-order reduction ran.
    pub por: bool,
    /// Symmetry reduction ran; the size of its group (1 when it found no symmetry).
    pub symmetry: Option<u64>,
    /// Why a requested reduction was not applied.
    pub skipped: Option<&'static str>,
}

impl fmt::Display for Reductions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.por {
            parts.push("partial-order".to_string());
        }
        match self.symmetry {
            Some(1) => parts.push("symmetry (no interchangeable threads)".to_string()),
            Some(g) => parts.push(format!("symmetry (group of {g})")),
            None => {}
        }
        if parts.is_empty() {
            f.write_str("reductions: none")?;
        } else {
            write!(f, "reductions: {}", parts.join(", "))?;
        }
        if let Some(why) = self.skipped {
            write!(f, " ({why})")?;
        }
        Ok(())
    }
}

/// The reductions of one search.
#[derive(Debug)]
pub(crate) struct Reducer {
    por: Option<Por>,
    symmetry: Option<Symmetry>,
    ran: Reductions,
}

impl Reducer {
    /// The reductions `reduce` asks for that are sound for `props` on `m`.
    pub(crate) fn new(m: &Machine, props: &[Property], reduce: Reduce) -> Reducer {
        let none = Reducer {
            por: None,
            symmetry: None,
            ran: Reductions::default(),
        };
        if reduce == Reduce::None {
            return none;
        }
        if props.iter().any(|p| p.is_liveness()) {
            return Reducer {
                ran: Reductions {
                    skipped: Some("liveness properties need the unreduced state graph"),
                    ..Reductions::default()
                },
                ..none
            };
        }
        let symmetry = reduce.symmetry().then(|| Symmetry::new(m)).flatten();
        let por = reduce.por().then(|| Por::new(m, props));
        Reducer {
            ran: Reductions {
                por: por.is_some(),
                symmetry: reduce
                    .symmetry()
                    .then(|| symmetry.as_ref().map_or(1, Symmetry::group_size)),
                skipped: None,
            },
            por,
            symmetry,
        }
    }

    /// What ran.
    pub(crate) fn ran(&self) -> Reductions {
        self.ran
    }

    /// The persistent set of `w` to explore first (its steps are moved to the front of
    /// `enabled`); all of `enabled` when nothing can be left out.
    pub(crate) fn ample(&self, m: &Machine, w: &World, enabled: &mut [Step]) -> Ample {
        match &self.por {
            Some(p) => p.ample(m, w, enabled),
            None => Ample {
                len: enabled.len(),
                proviso: false,
            },
        }
    }

    /// The representative of `w`'s orbit and the renaming that maps `w` onto it.
    pub(crate) fn canonical(&self, m: &Machine, w: &World) -> (World, Renaming) {
        match &self.symmetry {
            Some(s) => s.canonical(m, w),
            None => (*w, Renaming::default()),
        }
    }

    /// Appends the packed representative of `w`. Most successors of a representative
    /// are representatives already (a step changes one thread's key, which rarely
    /// reorders its class), and then `w` is packed as it is, without a renamed copy.
    pub(crate) fn pack_representative(&self, m: &Machine, w: &World, out: &mut Vec<u8>) {
        match &self.symmetry {
            Some(s) => {
                let r = s.renaming(m, w);
                if r == Renaming::default() {
                    w.pack(m.shape(), out);
                } else {
                    w.renamed(m.shape(), &r).pack(m.shape(), out);
                }
            }
            None => w.pack(m.shape(), out),
        }
    }

    /// Whether states are stored as representatives.
    pub(crate) fn symmetric(&self) -> bool {
        self.symmetry.is_some()
    }
}

/// `step` with its thread and folio renamed by `r`.
pub(crate) fn rename_step(step: Step, r: &Renaming) -> Step {
    match step {
        Step::Thread { tid, choice } => Step::Thread {
            tid: r.thread(tid),
            choice,
        },
        Step::IoDone(f) => Step::IoDone(r.folio(f)),
        Step::Evict(f) => Step::Evict(r.folio(f)),
        Step::Handoff => Step::Handoff,
    }
}
