//! Knobs declared in files: name, values, default, one line of help.

use crate::ast::{KnobDecl, KnobValues};
use crate::diag::Diagnostic;
use crate::reporting::Message;

/// The values a knob takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KnobKind {
    /// One of these words.
    Choice(Vec<String>),
    /// An integer in `min..=max`.
    Range {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
}

impl KnobKind {
    /// Whether `value` is one of these values.
    pub fn accepts(&self, value: &str) -> bool {
        match self {
            KnobKind::Choice(v) => v.iter().any(|w| w == value),
            KnobKind::Range { min, max } => value
                .parse::<i64>()
                .is_ok_and(|n| (*min..=*max).contains(&n) && n.to_string() == value),
        }
    }

    /// The values as text: `private, shared` or `0..=8`.
    pub fn text(&self) -> String {
        match self {
            KnobKind::Choice(v) => v.join(", "),
            KnobKind::Range { min, max } => format!("{min}..={max}"),
        }
    }

    /// Every value, in order.
    pub fn all(&self) -> Vec<String> {
        match self {
            KnobKind::Choice(v) => v.clone(),
            KnobKind::Range { min, max } => (*min..=*max).map(|n| n.to_string()).collect(),
        }
    }
}

/// A knob.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Knob {
    /// Name used with `--set NAME=VALUE`.
    pub name: String,
    /// Accepted values.
    pub values: KnobKind,
    /// Value when not set.
    pub default: String,
    /// One line of help.
    pub help: String,
    /// Where each value comes from (`source VALUE "..."`), in declaration order.
    pub sources: Vec<(String, String)>,
}

impl Knob {
    pub(crate) fn from_decl(d: &KnobDecl) -> Result<Knob, Diagnostic> {
        let values = match &d.values {
            KnobValues::Choice(v) => {
                for (i, w) in v.iter().enumerate() {
                    if v[..i].iter().any(|o| o.name == w.name) {
                        return Err(Message::ValueListedTwice {
                            span: w.span,
                            name: w.name.clone(),
                        }
                        .into());
                    }
                }
                KnobKind::Choice(v.iter().map(|w| w.name.clone()).collect())
            }
            KnobValues::Range(lo, hi) => {
                if lo > hi {
                    return Err(Message::EmptyRange { span: d.name.span }.into());
                }
                KnobKind::Range { min: *lo, max: *hi }
            }
        };
        let k = Knob {
            name: d.name.name.clone(),
            values,
            default: d.default.name.clone(),
            help: d.help.clone(),
            sources: d
                .sources
                .iter()
                .map(|(v, t)| (v.name.clone(), t.clone()))
                .collect(),
        };
        if let Some((v, _)) = d.sources.iter().find(|(v, _)| !k.accepts(&v.name)) {
            return Err(Message::SourceOfNoValue {
                span: v.span,
                value: v.name.clone(),
                knob: k.name.clone(),
                valid: k.values_text(),
            }
            .into());
        }
        if !k.accepts(&k.default) {
            let valid = k.values_text();
            return Err(Message::DefaultNotAValue {
                span: d.default.span,
                default: k.default.clone(),
                knob: k.name.clone(),
                valid,
            }
            .into());
        }
        Ok(k)
    }

    /// Whether `value` is one of the knob's values.
    pub fn accepts(&self, value: &str) -> bool {
        self.values.accepts(value)
    }

    /// The values as text: `private, shared` or `0..=8`.
    pub fn values_text(&self) -> String {
        self.values.text()
    }
}
