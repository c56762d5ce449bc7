//! Knobs declared in files: name, values, default, one line of help.

use crate::ast::{KnobDecl, KnobValues};
use crate::diag::Diagnostic;

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
                        return Err(Diagnostic::new(
                            w.span,
                            format!("value `{}` is listed twice", w.name),
                            "again",
                        ));
                    }
                }
                KnobKind::Choice(v.iter().map(|w| w.name.clone()).collect())
            }
            KnobValues::Range(lo, hi) => {
                if lo > hi {
                    return Err(Diagnostic::new(
                        d.name.span,
                        "empty range",
                        "the range has no values",
                    ));
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
            return Err(Diagnostic::new(
                v.span,
                format!("`{}` is not a value of knob `{}`", v.name, k.name),
                "source of no value",
            )
            .help(format!("valid values: {}", k.values_text())));
        }
        if !k.accepts(&k.default) {
            let valid = k.values_text();
            return Err(Diagnostic::new(
                d.default.span,
                format!(
                    "default `{}` is not a value of knob `{}`",
                    k.default, k.name
                ),
                "not one of the values",
            )
            .help(format!("valid values: {valid}")));
        }
        Ok(k)
    }

    /// Whether `value` is one of the knob's values.
    pub fn accepts(&self, value: &str) -> bool {
        match &self.values {
            KnobKind::Choice(v) => v.iter().any(|w| w == value),
            KnobKind::Range { min, max } => value
                .parse::<i64>()
                .is_ok_and(|n| (*min..=*max).contains(&n) && n.to_string() == value),
        }
    }

    /// The values as text: `private, shared` or `0..=8`.
    pub fn values_text(&self) -> String {
        match &self.values {
            KnobKind::Choice(v) => v.join(", "),
            KnobKind::Range { min, max } => format!("{min}..={max}"),
        }
    }
}
