//! The native search's step function, public for a search that keeps its visited set
//! elsewhere (`faultline-cluster` partitions it over processes): the packed initial
//! state, a packed state's watched predicates and persistent-set successors, the rest
//! when the cycle proviso asks for them, and, at the end, the counterexample or model
//! error at the end of a path of stored step codes, replayed on the concrete machine
//! exactly as [`crate::native`] does. The same [`Reducer`] decides every choice, so a
//! search built on this visits the states the native engine visits.

use std::sync::Arc;

use faultline_protocol::{Machine, ModelError, Step, World};
use faultline_traces::Trace;

use crate::error::CheckError;
use crate::property::Property;
use crate::reduce::{Reduce, Reducer, Reductions, rename_step};
use crate::verdict::Counterexample;

/// One packed state expanded: what [`Successors::expand`] appends.
#[derive(Clone, Debug, Default)]
pub struct Expansion {
    /// Bit `k` set: the `k`-th property of [`Successors::safety`] is violated here.
    pub watched: u64,
    /// Whether some enabled step was left out of the persistent set and the cycle
    /// proviso applies: if one of these successors was stored at this state's depth or
    /// shallower, [`Successors::expand_rest`] must be expanded too (as the native search
    /// does).
    pub proviso: bool,
    /// Step codes of the successors, in order.
    pub codes: Vec<u16>,
    /// The packed successors, [`Successors::stride`] bytes each, in the same order.
    pub bytes: Vec<u8>,
}

/// The native engine's successor function over packed states, with its reductions.
#[derive(Debug)]
pub struct Successors {
    m: Arc<Machine>,
    reducer: Reducer,
    safety: Vec<Property>,
    template: World,
}

impl Successors {
    /// The step function of a native check of the safety properties of `props` on `m`
    /// with `reduce` (reduced where sound for them, as [`crate::run`] decides). Liveness
    /// properties are left out: they need the whole state graph in one place, and
    /// leaving them out lets the reductions run, so the states are those of `check`
    /// with the safety properties alone.
    pub fn new(m: Arc<Machine>, props: &[Property], reduce: Reduce) -> Successors {
        let safety: Vec<Property> = props.iter().copied().filter(|p| !p.is_liveness()).collect();
        Successors {
            reducer: Reducer::new(&m, &safety, reduce),
            safety,
            template: m.initial(),
            m,
        }
    }

    /// The reductions that run.
    pub fn reductions(&self) -> Reductions {
        self.reducer.ran()
    }

    /// The watched (safety) properties, in the order of [`Expansion::watched`]'s bits.
    pub fn safety(&self) -> &[Property] {
        &self.safety
    }

    /// Bytes per packed state.
    pub fn stride(&self) -> usize {
        self.m.shape().packed_len()
    }

    /// The packed representative of the initial state, appended to `out`.
    pub fn initial(&self, out: &mut Vec<u8>) {
        let (init, _) = self.reducer.canonical(&self.m, &self.template);
        init.pack(self.m.shape(), out);
    }

    /// Watches the packed state `packed` and appends its persistent-set successors to
    /// `out` (cleared first). A step the model refuses is returned with its code.
    pub fn expand(&self, packed: &[u8], out: &mut Expansion) -> Result<(), (u16, ModelError)> {
        out.codes.clear();
        out.bytes.clear();
        let w = World::unpack(self.m.shape(), packed, &self.template);
        let mut enabled = Vec::new();
        self.m.enabled(&w, &mut enabled);
        out.watched = self
            .safety
            .iter()
            .enumerate()
            .filter(|(_, p)| p.violated_at(&self.m, &w, &enabled))
            .fold(0u64, |acc, (k, _)| acc | 1 << k);
        let ample = self.reducer.ample(&self.m, &w, &mut enabled);
        out.proviso = ample.len < enabled.len() && ample.proviso;
        self.push(&w, &enabled[..ample.len], out)
    }

    /// Appends to `out` (cleared first) the successors of `packed` that
    /// [`Successors::expand`] left out of the persistent set.
    pub fn expand_rest(&self, packed: &[u8], out: &mut Expansion) -> Result<(), (u16, ModelError)> {
        out.codes.clear();
        out.bytes.clear();
        let w = World::unpack(self.m.shape(), packed, &self.template);
        let mut enabled = Vec::new();
        self.m.enabled(&w, &mut enabled);
        let ample = self.reducer.ample(&self.m, &w, &mut enabled);
        self.push(&w, &enabled[ample.len..], out)
    }

    fn push(
        &self,
        w: &World,
        steps: &[Step],
        out: &mut Expansion,
    ) -> Result<(), (u16, ModelError)> {
        for &step in steps {
            let next = self.m.apply(w, step).map_err(|e| (step.encode(), e))?;
            self.reducer
                .pack_representative(&self.m, &next, &mut out.bytes);
            out.codes.push(step.encode());
        }
        Ok(())
    }

    /// The concrete steps of the stored step codes from the initial state: stored
    /// steps leave representatives, so each is renamed back onto the state reached.
    fn concrete(&self, codes: &[u16]) -> (Vec<Step>, World) {
        let mut w = self.template;
        let mut steps = Vec::with_capacity(codes.len());
        for &code in codes {
            let (_, r) = self.reducer.canonical(&self.m, &w);
            let step = rename_step(Step::decode(code), &r.inverse());
            steps.push(step);
            match self.m.apply(&w, step) {
                Ok(n) => w = n,
                Err(_) => break, // the replay below reports the mismatch
            }
        }
        (steps, w)
    }

    /// The counterexample for `property` along the stored step codes `codes`, which
    /// must reach the stored packed state `stored`: replayed, checked to end in it and
    /// to violate `property` there.
    pub fn counterexample(
        &self,
        codes: &[u16],
        stored: &[u8],
        property: Property,
    ) -> Result<Counterexample, CheckError> {
        let (steps, _) = self.concrete(codes);
        let mismatch = || CheckError::ReplayMismatch {
            token: token(&steps),
        };
        let trace = Trace::replay(&self.m, &steps).map_err(|_| mismatch())?;
        let mut packed = Vec::new();
        let (rep, _) = self.reducer.canonical(&self.m, trace.last());
        rep.pack(self.m.shape(), &mut packed);
        if packed != stored {
            return Err(mismatch());
        }
        let mut enabled = Vec::new();
        self.m.enabled(trace.last(), &mut enabled);
        if !property.violated_at(&self.m, trace.last(), &enabled) {
            return Err(mismatch());
        }
        let mut cx = Counterexample::at_end(&self.m, trace, property);
        cx.shortest = !self.reducer.ran().por;
        Ok(cx)
    }

    /// The model error of step `code` after the stored step codes `codes`, with the
    /// concrete path to it (as the native engine reports it).
    pub fn model_error(&self, codes: &[u16], code: u16) -> CheckError {
        let (mut steps, w) = self.concrete(codes);
        let (_, r) = self.reducer.canonical(&self.m, &w);
        steps.push(rename_step(Step::decode(code), &r.inverse()));
        match self.m.apply(&w, steps[steps.len() - 1]) {
            Err(error) => CheckError::Model {
                error,
                token: token(&steps),
            },
            Ok(_) => CheckError::ReplayMismatch {
                token: token(&steps),
            },
        }
    }
}

fn token(steps: &[Step]) -> String {
    steps
        .iter()
        .map(Step::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
