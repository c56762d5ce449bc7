//! Lanes: who takes a step. One lane per thread, and one per environment actor (disk
//! I/O completion, reclaim, the rwsem handoff), so the trace graph and the lane text
//! view can put each in its own column.

use faultline_protocol::{Machine, Step, Tid};

/// The column a step is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// A thread of the scenario.
    Thread(Tid),
    /// Disk I/O completion (`io<N>` steps).
    Disk,
    /// Reclaim evicting folios (`ev<N>` steps).
    Reclaim,
    /// The rwsem setting `RWSEM_FLAG_HANDOFF` (`ho` steps).
    Rwsem,
}

impl Lane {
    /// The lane of a step.
    pub fn of(step: Step) -> Lane {
        match step {
            Step::Thread { tid, .. } => Lane::Thread(tid),
            Step::IoDone(_) => Lane::Disk,
            Step::Evict(_) => Lane::Reclaim,
            Step::Handoff => Lane::Rwsem,
        }
    }

    /// Header text: the thread label (`T0 fault`) or the actor (`disk`).
    pub fn label(self, m: &Machine) -> String {
        match self {
            Lane::Thread(t) => m.thread_label(t),
            Lane::Disk => "disk".into(),
            Lane::Reclaim => "reclaim".into(),
            Lane::Rwsem => "rwsem".into(),
        }
    }

    /// A stable identifier for DOT: `t0`, `disk`, `reclaim`, `rwsem`.
    pub fn id(self) -> String {
        match self {
            Lane::Thread(t) => format!("t{}", t.0),
            Lane::Disk => "disk".into(),
            Lane::Reclaim => "reclaim".into(),
            Lane::Rwsem => "rwsem".into(),
        }
    }
}

/// The lanes that take at least one of `steps`, threads first, each once, sorted.
pub(crate) fn lanes_of(steps: impl Iterator<Item = Step>) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = steps.map(Lane::of).collect();
    lanes.sort();
    lanes.dedup();
    lanes
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_protocol::FolioId;

    #[test]
    fn environment_steps_get_their_own_lanes_after_the_threads() {
        let t = |n| Step::Thread {
            tid: Tid(n),
            choice: 0,
        };
        let steps = [Step::Handoff, t(2), Step::IoDone(FolioId(0)), t(0), t(2)];
        assert_eq!(
            lanes_of(steps.into_iter()),
            vec![
                Lane::Thread(Tid(0)),
                Lane::Thread(Tid(2)),
                Lane::Disk,
                Lane::Rwsem
            ]
        );
        assert_eq!(Lane::of(Step::Evict(FolioId(1))).id(), "reclaim");
    }
}
