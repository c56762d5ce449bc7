//! Budgets: big state spaces stop with a report, never with an out-of-memory kill.

/// Limits on one exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most unique states to store.
    pub max_states: u64,
    /// Most bytes the state store may hold.
    pub max_bytes: u64,
}

impl Budget {
    /// Default state budget: 20 million states (about 2 GiB for the standard scenarios).
    pub const DEFAULT_MAX_STATES: u64 = 20_000_000;
    /// Default memory budget: 8 GiB, a third of a 24 GiB CI machine.
    pub const DEFAULT_MAX_BYTES: u64 = 8 << 30;
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_states: Self::DEFAULT_MAX_STATES,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }
}
