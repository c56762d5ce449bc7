//! Budgets: big state spaces stop with a report, never with an out-of-memory kill.

use crate::memory::MemoryBudget;

/// Limits on one exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most unique states to store.
    pub max_states: u64,
    /// Most bytes the state store may hold.
    pub max_bytes: u64,
}

impl Budget {
    /// Default state budget: none; the machine's memory decides.
    pub const DEFAULT_MAX_STATES: u64 = u64::MAX;

    /// The machine's budget ([`MemoryBudget::detect`]) with `max_states`.
    pub fn with_memory(max_states: u64, memory: &MemoryBudget) -> Budget {
        Budget {
            max_states,
            max_bytes: memory.bytes,
        }
    }
}

impl Default for Budget {
    /// No state limit and the machine's memory budget for one search thread.
    fn default() -> Self {
        Budget::with_memory(Self::DEFAULT_MAX_STATES, &MemoryBudget::detect(None, 1))
    }
}
