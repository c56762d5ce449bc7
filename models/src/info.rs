//! What the catalog says about a design, a scenario and a knob, and resolved knob
//! values. Ids, titles, summaries and knob texts are interned (`faultline_lang::intern`: bounded by
//! the distinct strings ever loaded), so they are `Copy` and outlive any catalog.

use faultline_lang::{DesignInfo, Knob, KnobKind, ScenarioInfo, intern};

/// A knob's definition (as its file declares it).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KnobDef {
    /// Name used with `--set NAME=VALUE`.
    pub name: &'static str,
    /// Accepted values (the language's one kind).
    pub kind: KnobKind,
    /// Value when not set.
    pub default: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Where a value comes from (its `source` clause), per value.
    pub sources: Vec<(&'static str, &'static str)>,
}

impl KnobDef {
    /// The accepted values as text: `private, shared` or `0..=8`.
    pub fn values(&self) -> String {
        self.kind.text()
    }

    /// The source of `value`, if its knob cites one.
    pub fn source_of(&self, value: &str) -> Option<&'static str> {
        self.sources
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, t)| *t)
    }

    /// Every accepted value, in order.
    pub fn all_values(&self) -> Vec<String> {
        self.kind.all()
    }
}

impl From<&Knob> for KnobDef {
    fn from(k: &Knob) -> Self {
        KnobDef {
            name: intern(&k.name),
            kind: k.values.clone(),
            default: intern(&k.default),
            help: intern(&k.help),
            sources: k
                .sources
                .iter()
                .map(|(v, t)| (intern(v), intern(t)))
                .collect(),
        }
    }
}

/// A design in the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Design {
    /// Stable id (`upstream`).
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Who proposed it and what it changes.
    pub summary: &'static str,
    /// Where it comes from: lore Message-IDs with author and date, or the kernel
    /// function it models; one entry per `source` clause.
    pub source: Vec<&'static str>,
    /// Knobs of this design.
    pub knobs: Vec<KnobDef>,
    /// The file it comes from.
    pub file: String,
}

impl From<DesignInfo> for Design {
    fn from(d: DesignInfo) -> Self {
        Design {
            id: intern(&d.id),
            title: intern(&d.title),
            summary: intern(&d.summary),
            source: d.source.iter().map(|t| intern(t)).collect(),
            knobs: d.knobs.iter().map(KnobDef::from).collect(),
            file: d.file,
        }
    }
}

/// A scenario in the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scenario {
    /// Stable id (`fork-fuse`).
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// The threads and what can go wrong.
    pub summary: &'static str,
    /// Where it comes from: the messages that argued the hazard, or kernel code.
    pub source: Vec<&'static str>,
    /// Knobs of this scenario (besides the global ones).
    pub knobs: Vec<KnobDef>,
    /// Ids of the properties the matrix checks here (the hazards this scenario is
    /// built to show, plus `deadlock` everywhere).
    pub properties: Vec<&'static str>,
    /// The file it comes from.
    pub file: String,
}

impl Scenario {
    /// A scenario that mirrors a real-kernel test (`repro/`) step by step: it pins a
    /// kernel with its `kernel` knob, so it is checked by `faultline check` and the
    /// repro harness, not a row of the design matrix.
    pub fn is_kernel(&self) -> bool {
        self.knobs.iter().any(|k| k.name == "kernel")
    }
}

impl From<ScenarioInfo> for Scenario {
    fn from(s: ScenarioInfo) -> Self {
        Scenario {
            id: intern(&s.id),
            title: intern(&s.title),
            summary: intern(&s.summary),
            source: s.source.iter().map(|t| intern(t)).collect(),
            knobs: s.knobs.iter().map(KnobDef::from).collect(),
            properties: s.properties.iter().map(|p| intern(p)).collect(),
            file: s.file,
        }
    }
}

/// Resolved knob values (every applicable knob, set or defaulted), in definition
/// order: the design's, the scenario's, then the global ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knobs {
    values: Vec<(String, String)>,
}

impl Knobs {
    pub(crate) fn new(values: Vec<(String, String)>) -> Knobs {
        Knobs { values }
    }

    /// The value of a knob this design and scenario define; `""` for any other name
    /// (which matches no choice).
    pub fn get(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v)
    }

    /// A numeric knob's value (0 if undefined: see [`Knobs::get`]).
    pub fn number(&self, name: &str) -> u32 {
        self.get(name).parse().unwrap_or(0)
    }

    /// `(name, value)` pairs in definition order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// `(name, value)` pairs, so `Kernel::of(&knobs)` reads the `kernel` knob.
impl<'a> IntoIterator for &'a Knobs {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.values.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}
