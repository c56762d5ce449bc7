//! Knobs: named settings of a design or scenario, validated against their definitions.

use crate::error::CatalogError;

/// The values a knob accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnobKind {
    /// One of these words.
    Choice(&'static [&'static str]),
    /// An integer in `min..=max`.
    Number {
        /// Smallest accepted value.
        min: u32,
        /// Largest accepted value.
        max: u32,
    },
}

/// A knob's definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnobDef {
    /// Name used with `--set NAME=VALUE`.
    pub name: &'static str,
    /// Accepted values.
    pub kind: KnobKind,
    /// Value when not set.
    pub default: &'static str,
    /// One line of help.
    pub help: &'static str,
}

impl KnobDef {
    /// The accepted values as text: `private, shared` or `0..=8`.
    pub fn values(&self) -> String {
        match self.kind {
            KnobKind::Choice(v) => v.join(", "),
            KnobKind::Number { min, max } => format!("{min}..={max}"),
        }
    }

    fn accepts(&self, value: &str) -> bool {
        match self.kind {
            KnobKind::Choice(v) => v.contains(&value),
            KnobKind::Number { min, max } => value
                .parse::<u32>()
                .is_ok_and(|n| (min..=max).contains(&n) && n.to_string() == value),
        }
    }
}

/// Resolved knob values (every applicable knob, set or defaulted), in definition order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knobs {
    values: Vec<(&'static KnobDef, String)>,
}

impl Knobs {
    /// Resolves `sets` against `defs`; `context` names the design and scenario for
    /// error messages.
    pub fn resolve(
        defs: &[&'static KnobDef],
        sets: &[(String, String)],
        context: &str,
    ) -> Result<Knobs, CatalogError> {
        for (i, (name, value)) in sets.iter().enumerate() {
            let Some(def) = defs.iter().find(|d| d.name == name) else {
                let mut names: Vec<_> = defs.iter().map(|d| d.name).collect();
                names.sort_unstable();
                return Err(CatalogError::UnknownKnob {
                    knob: name.clone(),
                    context: context.to_string(),
                    valid: names.join(", "),
                });
            };
            if !def.accepts(value) {
                return Err(CatalogError::BadValue {
                    knob: name.clone(),
                    value: value.clone(),
                    valid: def.values(),
                });
            }
            if sets[..i].iter().any(|(n, _)| n == name) {
                return Err(CatalogError::RepeatedKnob { knob: name.clone() });
            }
        }
        let values = defs
            .iter()
            .map(|&d| {
                let set = sets.iter().find(|(n, _)| n == d.name);
                (
                    d,
                    set.map_or_else(|| d.default.to_string(), |(_, v)| v.clone()),
                )
            })
            .collect();
        Ok(Knobs { values })
    }

    /// The value of a knob this design and scenario define. Asking for another knob is
    /// a bug in the catalog, so it yields `""` (which matches no choice).
    pub fn get(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(d, _)| d.name == name)
            .map_or("", |(_, v)| v)
    }

    /// A numeric knob's value (0 if undefined: see [`Knobs::get`]).
    pub fn number(&self, name: &str) -> u32 {
        self.get(name).parse().unwrap_or(0)
    }

    /// `(name, value)` pairs in definition order.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values.iter().map(|(d, v)| (d.name, v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static MAPPING: KnobDef = KnobDef {
        name: "mapping",
        kind: KnobKind::Choice(&["private", "shared"]),
        default: "private",
        help: "",
    };
    static N: KnobDef = KnobDef {
        name: "n",
        kind: KnobKind::Number { min: 0, max: 3 },
        default: "1",
        help: "",
    };

    fn set(n: &str, v: &str) -> (String, String) {
        (n.to_string(), v.to_string())
    }

    #[test]
    fn defaults_fill_in_and_sets_override() {
        let k = Knobs::resolve(&[&MAPPING, &N], &[set("n", "3")], "x").expect("valid");
        assert_eq!(k.get("mapping"), "private");
        assert_eq!(k.number("n"), 3);
    }

    #[test]
    fn bad_names_values_and_repeats_are_refused_with_the_valid_choices() {
        let e = Knobs::resolve(&[&MAPPING, &N], &[set("map", "x")], "d x s").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown knob `map` for d x s; valid knobs: mapping, n"
        );
        let e = Knobs::resolve(&[&MAPPING], &[set("mapping", "anon")], "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value `anon` for knob `mapping`; valid values: private, shared"
        );
        for bad in ["4", "-1", "01", "x"] {
            assert!(
                Knobs::resolve(&[&N], &[set("n", bad)], "x").is_err(),
                "{bad}"
            );
        }
        let e = Knobs::resolve(&[&N], &[set("n", "1"), set("n", "2")], "x").unwrap_err();
        assert!(matches!(e, CatalogError::RepeatedKnob { .. }));
    }
}
