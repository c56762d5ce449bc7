//! Properties and the one evaluator every engine calls.

use faultline_protocol::{Machine, Step, World};

/// A property a design is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Property {
    /// No reachable state has an unfinished thread while no thread can run and no I/O
    /// can complete.
    Deadlock,
}

impl Property {
    /// Every property, in report order.
    pub const ALL: &'static [Property] = &[Property::Deadlock];

    /// Stable id (`deadlock`).
    pub fn id(self) -> &'static str {
        match self {
            Property::Deadlock => "deadlock",
        }
    }

    /// One line: when it holds.
    pub fn describe(self) -> &'static str {
        match self {
            Property::Deadlock => {
                "no reachable state has an unfinished thread while no thread can run and \
                 no I/O can complete (an idle FUSE server counts as finished)"
            }
        }
    }

    /// The property with this id.
    pub fn parse(id: &str) -> Option<Property> {
        Property::ALL.iter().copied().find(|p| p.id() == id)
    }

    /// Whether `w` violates the property. `enabled` must be `m.enabled(w)`: engines
    /// compute it anyway to expand the state, so it is passed in.
    pub fn violated_at(self, m: &Machine, w: &World, enabled: &[Step]) -> bool {
        match self {
            // Reclaim and the rwsem handoff may still have steps, but neither can ever
            // wake a thread, so they do not count as progress.
            Property::Deadlock => {
                !enabled
                    .iter()
                    .any(|s| matches!(s, Step::Thread { .. } | Step::IoDone(_)))
                    && !m.all_done(w)
            }
        }
    }
}

impl std::fmt::Display for Property {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
