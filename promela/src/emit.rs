//! The Promela text: the world as global arrays (one variable per field of the packed
//! `World`, initialised to `Machine::initial`), the rwsem queue operations as inlines,
//! one process per thread and one for the actors.
//!
//! What SPIN stores must be what faultline stores, state for state. So every step is
//! one `d_step` that ends with the thread's local ops and dead registers cleared, as
//! `Machine::apply` does; the pc is a global (an unlock moves the readers it grants);
//! and a process changes location only where its pc changes class: running, idle at a
//! server read (daemons, an `end` label) and exited (an `end` label). So SPIN's valid
//! end states are exactly faultline's finished states, and an invalid end state is a
//! faultline deadlock.

use std::fmt::Write as _;

use faultline_protocol::{Admission, Backend, Machine, Mode, Op, Reclaim, Tid};

use crate::error::ExportError;
use crate::ops;
use crate::settle::{self, Group};

/// Where a thread's process stands: a function of its pc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Run,
    Idle,
    Done,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::Run => "running",
            Class::Idle => "end_idle",
            Class::Done => "end_done",
        }
    }
}

fn class(m: &Machine, t: Tid, pc: u8) -> Class {
    let spec = &m.threads()[t.index()];
    match spec.program.get(pc) {
        None => Class::Done,
        Some(i) if spec.daemon() && matches!(i.op, Op::FuseDevRead | Op::UffdRead) => Class::Idle,
        Some(_) => Class::Run,
    }
}

/// The Promela model of `m`; `title` goes into its header comment.
pub fn export(m: &Machine, title: &str) -> Result<String, ExportError> {
    let mut s = String::new();
    header(&mut s, m, title);
    globals(&mut s, m);
    macros(&mut s, m);
    inlines(&mut s, m)?;
    for t in m.tids() {
        thread(&mut s, m, t)?;
    }
    actors(&mut s, m);
    Ok(s)
}

fn header(s: &mut String, m: &Machine, title: &str) {
    let _ = writeln!(s, "/* faultline export: {title}");
    let _ = writeln!(
        s,
        " * Check: spin -a model.pml && gcc -O2 -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -m100000 -c0"
    );
    let _ = writeln!(
        s,
        " * Stored states equal `faultline check --reduce none`'s; an invalid end state is a deadlock."
    );
    for (i, t) in m.threads().iter().enumerate() {
        let _ = writeln!(s, " * T{i} {} ({:?})", t.name, t.role);
    }
    let _ = writeln!(s, " */\n");
}

fn list<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|x| x.to_string()).collect();
    if v.len() == 1 {
        v[0].clone()
    } else {
        format!("{{ {} }}", v.join(", "))
    }
}

/// `n` items, or one constant pad element when `n` is 0 (Promela has no empty arrays).
fn padded<T: ToString>(n: usize, items: impl IntoIterator<Item = T>) -> String {
    if n == 0 { "0".into() } else { list(items) }
}

fn b(x: bool) -> u8 {
    u8::from(x)
}

/// Bits an `unsigned` needs to hold `0..=max` (at least 1).
fn bits(max: usize) -> u32 {
    (usize::BITS - max.leading_zeros()).max(1)
}

/// Widest `unsigned` SPIN declares (its bitfields are C `unsigned`).
const MAX_BITS: usize = 32;

/// A boolean array `name`, read as `NAME(i)` and written by `NAME_SET(i)` and
/// `NAME_CLR(i)`. SPIN packs only scalar `bit`/`bool`/`unsigned` globals into bits of
/// its state vector, and a `bool` array element takes a byte (`pan.h`: `uchar
/// v_rd[12]`), so an array of at most [`MAX_BITS`] is one `unsigned` of that many
/// bits (SPIN has no `unsigned` arrays); a longer one stays a byte array.
fn bools(s: &mut String, name: &str, init: impl IntoIterator<Item = bool>) {
    let init: Vec<bool> = init.into_iter().collect();
    let n = init.len();
    let up = name.to_uppercase();
    if (1..=MAX_BITS).contains(&n) {
        let v = init
            .iter()
            .enumerate()
            .fold(0u64, |v, (i, &x)| v | u64::from(x) << i);
        let _ = writeln!(s, "unsigned {name} : {n} = {v};");
        let _ = writeln!(s, "#define {up}(i) (({name} >> (i)) & 1)");
        let _ = writeln!(s, "#define {up}_SET(i) {name} = {name} | (1 << (i))");
        let _ = writeln!(s, "#define {up}_CLR(i) {name} = {name} & ~(1 << (i))");
    } else {
        let _ = writeln!(
            s,
            "bool {name}[{}] = {};",
            n.max(1),
            padded(n, init.iter().map(|&x| b(x)))
        );
        let _ = writeln!(s, "#define {up}(i) {name}[i]");
        let _ = writeln!(s, "#define {up}_SET(i) {name}[i] = 1");
        let _ = writeln!(s, "#define {up}_CLR(i) {name}[i] = 0");
    }
}

fn globals(s: &mut String, m: &Machine) {
    let w = m.initial();
    let (nt, nv, nf) = (m.threads().len(), m.vmas().len(), m.folios().len());
    let _ = writeln!(s, "#define NT {nt}");
    let _ = writeln!(s, "#define NONE 255");
    let _ = writeln!(s, "#define WRITE 128");
    let _ = writeln!(s, "#define LOCKED 128");
    for (name, v) in [
        ("ABSENT", 0),
        ("UPTODATE", 1),
        ("IO_DISK", 2),
        ("IO_FUSE", 3),
        ("IO_FUSE_TAKEN", 4),
        ("IO_UFFD", 5),
        ("IO_UFFD_TAKEN", 6),
    ] {
        let _ = writeln!(s, "#define {name} {v}");
    }
    let _ = writeln!(
        s,
        "\n/* mmap_lock (rwsem.rs): writer, readers, FIFO wait list (tid | WRITE), handoff */"
    );
    let tids = || (0..nt as u8).map(Tid);
    let _ = writeln!(
        s,
        "byte mm_writer = {};",
        w.mmap.writer().map_or(255, |t| t.0)
    );
    bools(s, "mm_rd", tids().map(|t| w.mmap.readers().contains(t)));
    let mut q: Vec<u8> = w
        .mmap
        .queue()
        .map(|(t, mode)| t.0 | if mode == Mode::Write { 0x80 } else { 0 })
        .collect();
    let qlen = q.len();
    q.resize(nt, 0);
    let _ = writeln!(s, "byte mm_q[NT] = {};", list(&q));
    let _ = writeln!(s, "unsigned mm_qlen : {} = {qlen};", bits(nt));
    let _ = writeln!(s, "bool mm_handoff = {};", b(w.mmap.handoff()));
    let vmas = &w.vmas[..nv];
    let _ = writeln!(
        s,
        "\n/* VMAs (vma.rs): attached, write-locked, excluding writer, readers (v * NT + t), anon_vma, copying, VM_COPY_ON_FORK, copy_page_range copies PTEs */"
    );
    let vn = nv.max(1);
    bools(s, "v_att", vmas.iter().map(|v| v.attached));
    bools(s, "v_wl", vmas.iter().map(|v| v.write_locked));
    let _ = writeln!(
        s,
        "byte v_excl[{vn}] = {};",
        padded(nv, vmas.iter().map(|v| v.excluding.map_or(255, |t| t.0)))
    );
    bools(
        s,
        "v_rd",
        vmas.iter()
            .flat_map(|v| tids().map(move |t| v.readers.contains(t))),
    );
    bools(s, "v_anon", vmas.iter().map(|v| v.anon_vma));
    bools(s, "v_copy", vmas.iter().map(|v| v.copying));
    bools(s, "v_cof", vmas.iter().map(|v| v.copy_on_fork));
    bools(s, "v_cpt", vmas.iter().map(|v| v.copies_ptes));
    let folios = &w.folios[..nf];
    let fnn = nf.max(1);
    let _ = writeln!(
        s,
        "\n/* folios (folio.rs): state (ABSENT .. IO_UFFD_TAKEN, LOCKED | tid), references (f * NT + t) */"
    );
    let _ = writeln!(
        s,
        "byte f_st[{fnn}] = {};",
        padded(nf, folios.iter().map(|f| f.state.code()))
    );
    bools(
        s,
        "f_ref",
        folios
            .iter()
            .flat_map(|f| tids().map(move |t| f.refs.contains(t))),
    );
    let th = &w.threads[..nt];
    let _ = writeln!(
        s,
        "\n/* threads (world.rs): pc, flags, VMA handle, stale, folio handle */"
    );
    // Always indexed by a constant thread: one scalar per thread, as narrow as its
    // range (pc up to the exit pc; flags two bits, `settle::FLAG_VALUES`).
    for (u, (t, spec)) in th.iter().zip(m.threads()).enumerate() {
        let pc_bits = bits(usize::from(spec.program.exit_pc()));
        let _ = writeln!(s, "unsigned t_pc{u} : {pc_bits} = {};", t.pc);
        let _ = writeln!(s, "unsigned t_flags{u} : 2 = {};", t.flags);
    }
    let _ = writeln!(
        s,
        "byte t_vma[NT] = {};",
        list(th.iter().map(|t| t.vma.map_or(255, |v| v.0)))
    );
    bools(s, "t_stale", th.iter().map(|t| t.stale));
    let _ = writeln!(
        s,
        "byte t_folio[NT] = {};",
        list(th.iter().map(|t| t.folio.map_or(255, |f| f.0)))
    );
    let _ = writeln!(
        s,
        "\n/* reclaim budget (only falls), sticky hazard bits (hazard.rs) */\nunsigned evl : {} = {};\nbyte hz = {};",
        bits(usize::from(w.evictions_left)),
        w.evictions_left,
        w.hazards
    );
    let _ = writeln!(
        s,
        "\n/* scratch of the d_steps: not part of the state */\nhidden byte wi;\nhidden byte wn;\nhidden byte gr[NT];\n"
    );
}

/// `(a || b || ...)`, or `false` for none.
fn any(terms: impl IntoIterator<Item = String>) -> String {
    let v: Vec<String> = terms.into_iter().collect();
    if v.is_empty() {
        "false".into()
    } else {
        format!("({})", v.join(" || "))
    }
}

fn macros(s: &mut String, m: &Machine) {
    let (nt, nv) = (m.threads().len(), m.vmas().len());
    let defs = [
        ("HELD(t)", "(mm_writer == t || MM_RD(t))".to_string()),
        ("MM_ANY_RD", any((0..nt).map(|t| format!("MM_RD({t})")))),
        ("MM_FREE", "(mm_writer == NONE && !MM_ANY_RD)".into()),
        (
            "QUEUED(t)",
            any((0..nt).map(|i| format!("(mm_qlen > {i} && (mm_q[{i}] & 127) == t)"))),
        ),
        (
            "CAN_TAKE(t)",
            "(mm_qlen > 0 && mm_q[0] == (WRITE | t) && MM_FREE)".into(),
        ),
        (
            "FAST_READ",
            "(mm_writer == NONE && mm_qlen == 0 && !mm_handoff)".into(),
        ),
        ("STEAL", b(m.admission() == Admission::Steal).to_string()),
        ("MAY_STEAL", "(STEAL && MM_FREE && !mm_handoff)".into()),
        ("VRD(v, t)", "V_RD((v) * NT + (t))".into()),
        ("VRD_SET(v, t)", "V_RD_SET((v) * NT + (t))".into()),
        ("VRD_CLR(v, t)", "V_RD_CLR((v) * NT + (t))".into()),
        ("V_ANY_RD(v)", any((0..nt).map(|t| format!("VRD(v, {t})")))),
        (
            "VMA_READER(t)",
            any((0..nv).map(|v| format!("VRD({v}, t)"))),
        ),
        ("FREF(f, t)", "F_REF((f) * NT + (t))".into()),
        ("FREF_SET(f, t)", "F_REF_SET((f) * NT + (t))".into()),
        ("FREF_CLR(f, t)", "F_REF_CLR((f) * NT + (t))".into()),
        (
            "F_ANY_REF(f)",
            any((0..nt).map(|t| format!("FREF(f, {t})"))),
        ),
    ];
    let _ = writeln!(s, "/* predicates of rwsem.rs, vma.rs, folio.rs */");
    for (name, body) in defs {
        let _ = writeln!(s, "#define {name} {body}");
    }
    s.push('\n');
}

/// The settle statements of thread `u` (`Machine::settle`).
fn settle_stmts(u: u8, g: &Group) -> Vec<String> {
    let r = &g.settled;
    let mut v = Vec::new();
    if r.retry {
        v.push(format!(
            "if :: HELD({u}) || VMA_READER({u}) -> hz = hz | {} :: else fi",
            faultline_protocol::Hazard::RetryHeld.bit()
        ));
    }
    if r.exited {
        v.push(format!("t_folio[{u}] = NONE"));
    }
    let f = format!("t_flags{u}");
    match (g.set, g.keep) {
        (0, 3) => {}
        (s, k) if s == k => v.push(format!("{f} = {s}")),
        (0, k) => v.push(format!("{f} = {f} & {k}")),
        (s, 3) => v.push(format!("{f} = {f} | {s}")),
        (s, k) => v.push(format!("{f} = ({f} | {s}) & {k}")),
    }
    if r.clear_vma {
        v.push(format!("t_vma[{u}] = NONE"));
        v.push(format!("T_STALE_CLR({u})"));
    }
    v.push(format!("t_pc{u} = {}", r.pc));
    v
}

/// `t_flags{u}` is one of `values` (no test when all are).
fn flag_guard(u: u8, values: &[u8]) -> Option<String> {
    (values.len() < settle::FLAG_VALUES.len())
        .then(|| any(values.iter().map(|f| format!("t_flags{u} == {f}"))))
}

fn inlines(s: &mut String, m: &Machine) -> Result<(), ExportError> {
    s.push_str(
        "/* rwsem.rs enqueue, dequeue of the woken head writer, rwsem_mark_wake */
inline enqueue(e) {
\tmm_q[mm_qlen] = e;
\tmm_qlen++
}
inline dequeue_head() {
\twi = 0;
\tdo
\t:: wi + 1 < mm_qlen -> mm_q[wi] = mm_q[wi + 1]; wi++
\t:: else -> break
\tod;
\tmm_q[mm_qlen - 1] = 0;
\tmm_qlen--
}
inline wake() {
\tif
\t:: mm_writer == NONE && mm_qlen > 0 && (mm_q[0] & WRITE) == 0 ->
\t\twi = 0;
\t\twn = 0;
\t\tdo
\t\t:: wi < mm_qlen ->
\t\t\tif
\t\t\t:: (mm_q[wi] & WRITE) == 0 -> MM_RD_SET(mm_q[wi]); gr[mm_q[wi]] = 1
\t\t\t:: else -> mm_q[wn] = mm_q[wi]; wn++
\t\t\tfi;
\t\t\twi++
\t\t:: else -> break
\t\tod;
\t\twi = wn;
\t\tdo
\t\t:: wi < mm_qlen -> mm_q[wi] = 0; wi++
\t\t:: else -> break
\t\tod;
\t\tmm_qlen = wn;
\t\tmm_handoff = 0
\t:: else
\tfi
}
",
    );
    // advance_granted: each granted reader returns from mmap_read_lock and settles.
    s.push_str("/* advance_granted: the readers rwsem_mark_wake granted return from mmap_read_lock */\ninline grant_all() {\n\tskip");
    for t in m.tids() {
        let spec = &m.threads()[t.index()];
        let label = m.thread_label(t);
        let mut arms = Vec::new();
        for (pc, instr) in spec.program.instrs().iter().enumerate() {
            if instr.op != Op::MmapReadLock {
                continue;
            }
            let pc = pc as u8;
            for (r, flags) in settle::grouped(&spec.program, &label, pc + 1)? {
                if class(m, t, r.settled.pc) != Class::Run {
                    return Err(ExportError::Unsupported {
                        thread: label,
                        op: "mmap_read_lock",
                        pc,
                        reason: "a reader granted by another thread's unlock would exit or \
                                 go idle at once, and a Promela process cannot move another",
                    });
                }
                let mut guard = format!("t_pc{} == {pc}", t.0);
                if let Some(g) = flag_guard(t.0, &flags) {
                    guard = format!("{guard} && {g}");
                }
                arms.push(format!(
                    "\t\t:: {guard} -> {}",
                    settle_stmts(t.0, &r).join("; ")
                ));
            }
        }
        if arms.is_empty() {
            continue;
        }
        let u = t.0;
        let _ = write!(
            s,
            ";\n\tif\n\t:: gr[{u}] ->\n\t\tgr[{u}] = 0;\n\t\tif\n{}\n\t\t:: else -> assert(false)\n\t\tfi\n\t:: else\n\tfi",
            arms.join("\n")
        );
    }
    s.push_str("\n}\n\n");
    Ok(())
}

/// Identifier-safe name.
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn thread(s: &mut String, m: &Machine, t: Tid) -> Result<(), ExportError> {
    let spec = &m.threads()[t.index()];
    let prog = &spec.program;
    let label = m.thread_label(t);
    let u = t.0;
    let mut blocks: Vec<(Class, Vec<String>)> = Vec::new();
    let mut targets = vec![class(m, t, m.initial().thread(t).pc)];
    for pc in 0..prog.len() as u8 {
        let from = class(m, t, pc);
        for out in ops::outcomes(m, t, pc)? {
            for (r, flags) in settle::grouped(prog, &label, out.next)? {
                let to = class(m, t, r.settled.pc);
                let mut guard = format!("t_pc{u} == {pc} && ({})", out.guard);
                if let Some(g) = flag_guard(u, &flags) {
                    guard = format!("{guard} && {g}");
                }
                let mut body = out.body.clone();
                body.extend(settle_stmts(u, &r));
                let op = prog.get(pc).map_or("", |i| i.op.kernel_name());
                let mut opt = format!(
                    "\t:: d_step {{ /* {pc} {op} */ {guard} ->\n\t\t{}\n\t}}",
                    body.join(";\n\t\t")
                );
                if to != from {
                    let _ = write!(opt, "; goto {}", to.label());
                    targets.push(to);
                }
                match blocks.iter_mut().find(|(c, _)| *c == from) {
                    Some((_, v)) => v.push(opt),
                    None => blocks.push((from, vec![opt])),
                }
            }
        }
    }
    let _ = writeln!(s, "/* {label}: {:?} */", spec.role);
    let _ = writeln!(s, "active proctype T{u}_{}() {{", ident(&spec.name));
    // The initial class first: a process starts at its first statement.
    let mut order = vec![targets[0]];
    for c in [Class::Run, Class::Idle, Class::Done] {
        if !order.contains(&c) && (targets.contains(&c) || blocks.iter().any(|(b, _)| *b == c)) {
            order.push(c);
        }
    }
    for (i, c) in order.iter().enumerate() {
        if i > 0 {
            s.push_str(";\n");
        }
        let _ = writeln!(s, "{}:", c.label());
        match (c, blocks.iter().find(|(b, _)| b == c)) {
            (Class::Done, _) => s.push_str("\tfalse"),
            (_, Some((_, opts))) => {
                let _ = write!(s, "\tdo\n{}\n\tod", opts.join("\n"));
            }
            (_, None) => s.push_str("\tfalse"),
        }
    }
    s.push_str("\n}\n\n");
    Ok(())
}

fn actors(s: &mut String, m: &Machine) {
    let mut opts = Vec::new();
    for (f, spec) in m.folios().iter().enumerate() {
        // Step::IoDone: the disk completes a read (folio_end_read from bio completion).
        opts.push(format!(
            "\t:: d_step {{ /* io{f} */ f_st[{f}] == IO_DISK -> f_st[{f}] = UPTODATE }}"
        ));
        // Step::Evict: shrink_folio_list; a page a uffd handler filled stays.
        if spec.backend != Backend::Uffd {
            let (budget, spend) = match m.reclaim() {
                Reclaim::Bounded(_) => ("evl > 0 && ", "; evl--"),
                Reclaim::Unbounded => ("", ""),
            };
            opts.push(format!(
                "\t:: d_step {{ /* ev{f} */ {budget}f_st[{f}] == UPTODATE && !F_ANY_REF({f}) -> f_st[{f}] = ABSENT{spend} }}"
            ));
        }
    }
    if m.admission() == Admission::Steal {
        // Step::Handoff: the first waiter sets RWSEM_FLAG_HANDOFF.
        opts.push(
            "\t:: d_step { /* ho */ !mm_handoff && mm_qlen > 0 && \
             (((mm_q[0] & WRITE) != 0 && !MM_FREE) || ((mm_q[0] & WRITE) == 0 && mm_writer != NONE)) -> \
             mm_handoff = 1 }"
                .into(),
        );
    }
    if opts.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "/* disk completions, reclaim, rwsem handoff */\nactive proctype actors() {{\nend:\n\tdo\n{}\n\tod\n}}",
        opts.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use faultline_protocol::{
        Admission, FolioSpec, Machine, Op, ProgramBuilder, Reclaim, Role, ThreadSpec, VmaSpec,
    };

    use super::*;

    fn thread(name: &str, ops: &[Op]) -> ThreadSpec {
        let mut b = ProgramBuilder::new("test");
        for &op in ops {
            b.op(op);
        }
        ThreadSpec {
            name: name.into(),
            program: b.build().expect("no labels"),
            role: Role::Fault,
            process: Default::default(),
        }
    }

    fn machine(threads: Vec<ThreadSpec>) -> Machine {
        let none: (Vec<VmaSpec>, Vec<FolioSpec>) = (Vec::new(), Vec::new());
        Machine::new(
            threads,
            none.0,
            none.1,
            Admission::Fair,
            Reclaim::Bounded(0),
        )
        .expect("valid")
    }

    #[test]
    fn a_granted_reader_that_exits_at_once_is_a_typed_error_naming_the_op() {
        // T1 queues behind the writer; T0's unlock grants it, and its next op is
        // `return`: only T1's own process could move to its end state.
        let m = machine(vec![
            thread("w", &[Op::MmapWriteLock, Op::MmapWriteUnlock, Op::Exit]),
            thread("r", &[Op::MmapReadLock, Op::Exit]),
        ]);
        match export(&m, "t") {
            Err(ExportError::Unsupported { op, pc, .. }) => {
                assert_eq!((op, pc), ("mmap_read_lock", 0));
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }

    #[test]
    fn a_thread_that_starts_exited_starts_at_its_end_state() {
        let m = machine(vec![
            thread("gone", &[Op::Exit]),
            thread("r", &[Op::MmapReadLock, Op::MmapReadUnlock, Op::Exit]),
        ]);
        let text = export(&m, "t").expect("exports");
        assert!(
            text.contains("active proctype T0_gone() {\nend_done:\n\tfalse\n}"),
            "{text}"
        );
    }
}
