//! Each op as Promela, following `Machine::status` and `machine/exec.rs` case by case:
//! the guards under which it runs (one per outcome, together exactly the states where
//! the thread is ready) and, per outcome, the statements of its effect and the pc it
//! leaves the thread at before its local ops run. Model errors (`ModelError::Misuse`)
//! become assertions, so SPIN reports them as errors as faultline does.

use faultline_protocol::{Backend, Hazard, Machine, Op, Tid};

use crate::error::ExportError;

/// One way an op can go.
pub(crate) struct Outcome {
    /// When it goes this way (a Promela expression; the pc test is added by the caller).
    pub guard: String,
    /// Its effect, before the thread's local ops.
    pub body: Vec<String>,
    /// The pc it leaves the thread at.
    pub next: u8,
}

/// The folio state code of a read `backend` must complete, not yet taken.
fn pending(backend: Backend) -> &'static str {
    match backend {
        Backend::Disk => "IO_DISK",
        Backend::Fuse => "IO_FUSE",
        Backend::Uffd => "IO_UFFD",
    }
}

fn hz(h: Hazard) -> String {
    format!("hz = hz | {}", h.bit())
}

/// `if :: cond -> stmt :: else fi`.
fn when(cond: &str, stmt: &str) -> String {
    format!("if :: {cond} -> {stmt} :: else fi")
}

fn o(guard: impl Into<String>, body: Vec<String>, next: u8) -> Outcome {
    Outcome {
        guard: guard.into(),
        body,
        next,
    }
}

/// The outcomes of thread `t`'s op at `pc`. Local ops have none: they never stand at
/// a stored pc (every step runs them at its end).
pub(crate) fn outcomes(m: &Machine, t: Tid, pc: u8) -> Result<Vec<Outcome>, ExportError> {
    let spec = &m.threads()[t.index()];
    let prog = &spec.program;
    let Some(instr) = prog.get(pc) else {
        return Ok(Vec::new());
    };
    let n = pc + 1;
    let t = t.0;
    let h = format!("t_vma[{t}]");
    let fo = format!("t_folio[{t}]");
    let fs = format!("f_st[{fo}]");
    let no_vma = || o(format!("{h} == NONE"), vec!["assert(false)".into()], pc);
    let no_folio = || o(format!("{fo} == NONE"), vec!["assert(false)".into()], pc);
    // deref_handle: a handle the thread does not pin, or that dangles, is a VMA use.
    let deref = when(
        &format!("T_STALE({t}) || !(VRD({h}, {t}) || (HELD({t}) && V_ATT({h})))"),
        &hz(Hazard::VmaUse),
    );
    let complete = |taken: &str| {
        vec![
            format!("assert({fo} != NONE && {fs} == {taken})"),
            format!("{fs} = UPTODATE"),
            format!("{fo} = NONE"),
        ]
    };
    let end_vma_writes: Vec<String> = (0..m.vmas().len())
        .map(|v| format!("V_WL_CLR({v})"))
        .collect();
    let out = match instr.op {
        Op::MmapReadLock => {
            let pre = vec![
                format!("assert(!HELD({t}))"),
                when(&format!("VMA_READER({t})"), &hz(Hazard::LockOrder)),
            ];
            let got = "(FAST_READ || MAY_STEAL)";
            vec![
                o(
                    format!("!QUEUED({t}) && {got}"),
                    [pre.clone(), vec![format!("MM_RD_SET({t})")]].concat(),
                    n,
                ),
                o(
                    format!("!QUEUED({t}) && !{got}"),
                    [pre, vec![format!("enqueue({t})")]].concat(),
                    pc,
                ),
            ]
        }
        Op::MmapReadTrylock { fail } => vec![
            o("FAST_READ", vec![format!("MM_RD_SET({t})")], n),
            o("!FAST_READ", vec![], prog.target(fail)),
        ],
        Op::MmapReadUnlock => vec![o(
            "true",
            vec![
                format!("assert(MM_RD({t}))"),
                format!("MM_RD_CLR({t})"),
                when("!MM_ANY_RD", "wake()"),
                "grant_all()".into(),
            ],
            n,
        )],
        Op::MmapWriteLock => {
            let pre = vec![
                format!("assert(!HELD({t}))"),
                when(&format!("VMA_READER({t})"), &hz(Hazard::LockOrder)),
            ];
            let got = "((MM_FREE && mm_qlen == 0) || MAY_STEAL)";
            vec![
                o(
                    format!("QUEUED({t}) && CAN_TAKE({t})"),
                    vec![
                        format!("assert(!HELD({t}))"),
                        "dequeue_head()".into(),
                        format!("mm_writer = {t}"),
                        "mm_handoff = 0".into(),
                    ],
                    n,
                ),
                o(
                    format!("!QUEUED({t}) && {got}"),
                    [pre.clone(), vec![format!("mm_writer = {t}")]].concat(),
                    n,
                ),
                o(
                    format!("!QUEUED({t}) && !{got}"),
                    [pre, vec![format!("enqueue(WRITE | {t})")]].concat(),
                    pc,
                ),
            ]
        }
        Op::MmapWriteUnlock | Op::MmapWriteDowngrade => {
            let mut body = vec![format!("assert(mm_writer == {t})")];
            body.extend(end_vma_writes);
            body.push("mm_writer = NONE".into());
            if instr.op == Op::MmapWriteDowngrade {
                body.push(format!("MM_RD_SET({t})"));
            }
            body.push("wake()".into());
            body.push("grant_all()".into());
            vec![o("true", body, n)]
        }
        Op::LockVmaUnderRcu { vma, fail } => {
            let v = vma.0;
            let ok = format!("(V_ATT({v}) && !V_WL({v}) && v_excl[{v}] == NONE)");
            let pre = format!("assert(!VMA_READER({t}))");
            vec![
                o(
                    ok.clone(),
                    vec![
                        pre.clone(),
                        format!("VRD_SET({v}, {t})"),
                        format!("{h} = {v}"),
                        format!("T_STALE_CLR({t})"),
                    ],
                    n,
                ),
                o(format!("!{ok}"), vec![pre], prog.target(fail)),
            ]
        }
        Op::VmaStartRead { fail } => {
            let ok = format!("(V_ATT({h}) && !V_WL({h}) && v_excl[{h}] == NONE)");
            let pre = vec![
                format!("assert(!VMA_READER({t}))"),
                when(&format!("T_STALE({t})"), &hz(Hazard::VmaUse)),
            ];
            vec![
                no_vma(),
                o(
                    format!("{h} != NONE && {ok}"),
                    [
                        pre.clone(),
                        vec![format!("VRD_SET({h}, {t})"), format!("T_STALE_CLR({t})")],
                    ]
                    .concat(),
                    n,
                ),
                o(format!("{h} != NONE && !{ok}"), pre, prog.target(fail)),
            ]
        }
        Op::FindVma { vma, missing } => {
            let v = vma.0;
            let pre = format!("assert(HELD({t}))");
            vec![
                o(
                    format!("V_ATT({v})"),
                    vec![
                        pre.clone(),
                        format!("{h} = {v}"),
                        format!("T_STALE_CLR({t})"),
                    ],
                    n,
                ),
                o(
                    format!("!V_ATT({v})"),
                    vec![pre, format!("{h} = NONE"), format!("T_STALE_CLR({t})")],
                    prog.target(missing),
                ),
            ]
        }
        Op::VmaEndRead => vec![
            no_vma(),
            o(
                format!("{h} != NONE"),
                vec![
                    format!("assert(VRD({h}, {t}))"),
                    format!("VRD_CLR({h}, {t})"),
                ],
                n,
            ),
        ],
        Op::VmaStartWrite { vma } => {
            let v = vma.0;
            let ready = format!("!(v_excl[{v}] == {t} && V_ANY_RD({v}))");
            let pre = format!("assert(mm_writer == {t})");
            let locks = format!("(V_WL({v}) || !V_ATT({v}) || !V_ANY_RD({v}))");
            vec![
                o(
                    format!("{ready} && {locks}"),
                    vec![
                        pre.clone(),
                        when(
                            &format!("!V_WL({v})"),
                            &format!("V_WL_SET({v}); v_excl[{v}] = NONE"),
                        ),
                    ],
                    n,
                ),
                o(
                    format!("{ready} && !{locks}"),
                    vec![pre, format!("v_excl[{v}] = {t}")],
                    pc,
                ),
            ]
        }
        Op::VmaMarkDetached { vma } => {
            let v = vma.0;
            let mut body = vec![
                format!("assert(mm_writer == {t} && V_WL({v}))"),
                format!("V_ATT_CLR({v})"),
            ];
            for u in 0..m.threads().len() {
                if u != usize::from(t) {
                    body.push(when(
                        &format!("t_vma[{u}] == {v}"),
                        &format!("T_STALE_SET({u})"),
                    ));
                }
            }
            vec![o("true", body, n)]
        }
        Op::MmapRegion { vma } => {
            let v = vma.0;
            let mut fresh = vec![
                format!("V_ATT_SET({v})"),
                format!("V_WL_SET({v})"),
                format!("v_excl[{v}] = NONE"),
                format!("V_ANON_CLR({v})"),
                format!("V_COPY_CLR({v})"),
                format!("V_COF_CLR({v})"),
                format!("V_CPT_CLR({v})"),
            ];
            fresh.extend((0..m.threads().len()).map(|u| format!("VRD_CLR({v}, {u})")));
            vec![o(
                "true",
                vec![
                    format!("assert(mm_writer == {t})"),
                    when(&format!("!V_ATT({v})"), &fresh.join("; ")),
                ],
                n,
            )]
        }
        Op::IfAnonVma {
            vma: Some(vma),
            then,
        } => {
            let v = vma.0;
            vec![
                o(format!("V_ANON({v})"), vec![], prog.target(then)),
                o(format!("!V_ANON({v})"), vec![], n),
            ]
        }
        Op::IfAnonVma { vma: None, then } => vec![
            no_vma(),
            o(
                format!("{h} != NONE && V_ANON({h})"),
                vec![deref.clone()],
                prog.target(then),
            ),
            o(format!("{h} != NONE && !V_ANON({h})"), vec![deref], n),
        ],
        Op::AnonVmaPrepare => vec![
            no_vma(),
            o(
                format!("{h} != NONE"),
                vec![
                    deref,
                    format!("assert(HELD({t}))"),
                    format!("V_ANON_SET({h})"),
                ],
                n,
            ),
        ],
        Op::FilemapGetFolio { folio, absent } => {
            let f = folio.0;
            vec![
                o(format!("f_st[{f}] == ABSENT"), vec![], prog.target(absent)),
                o(format!("f_st[{f}] != ABSENT"), take_ref(t, f), n),
            ]
        }
        Op::SyncMmapReadahead { folio } => {
            let f = folio.0;
            let backend = m.folios()[folio.index()].backend;
            let mut body = vec![when(
                &format!("f_st[{f}] == ABSENT"),
                &format!("f_st[{f}] = {}", pending(backend)),
            )];
            body.extend(take_ref(t, f));
            vec![o("true", body, n)]
        }
        Op::IfFolioUptodate { then } => {
            let up = format!("({fs} == UPTODATE || {fs} >= LOCKED)");
            vec![
                no_folio(),
                o(format!("{fo} != NONE && {up}"), vec![], prog.target(then)),
                o(format!("{fo} != NONE && !{up}"), vec![], n),
            ]
        }
        Op::FolioWaitLocked { folio } => {
            let f = folio.0;
            vec![o(
                format!("!(f_st[{f}] >= IO_DISK && f_st[{f}] != (LOCKED | {t}))"),
                vec![],
                n,
            )]
        }
        Op::InvalidateFolio { folio } => {
            let f = folio.0;
            vec![o(
                format!("!(f_st[{f}] != ABSENT && !(f_st[{f}] == UPTODATE && !F_ANY_REF({f})))"),
                vec![format!("f_st[{f}] = ABSENT")],
                n,
            )]
        }
        Op::FuseWritebackStart { folio } | Op::FuseRequestSend { folio } => {
            let f = folio.0;
            let backend = m.folios()[folio.index()].backend;
            vec![o(
                "true",
                vec![when(
                    &format!("f_st[{f}] == ABSENT || f_st[{f}] == UPTODATE"),
                    &format!("f_st[{f}] = {}", pending(backend)),
                )],
                n,
            )]
        }
        Op::IfFolioWriteback { folio, then } => {
            let f = folio.0;
            let wb = format!("(f_st[{f}] >= IO_DISK && f_st[{f}] <= IO_UFFD_TAKEN)");
            vec![
                o(wb.clone(), vec![], prog.target(then)),
                o(format!("!{wb}"), vec![], n),
            ]
        }
        Op::FuseWaitWriteback { folio }
        | Op::FolioWaitWriteback { folio }
        | Op::FuseRequestWait { folio } => {
            let f = folio.0;
            vec![o(
                format!("!(f_st[{f}] >= IO_DISK && f_st[{f}] <= IO_UFFD_TAKEN)"),
                vec![],
                n,
            )]
        }
        Op::FolioTrylock { fail } => vec![
            no_folio(),
            o(
                format!("{fo} != NONE && {fs} == UPTODATE"),
                vec![format!("{fs} = LOCKED | {t}")],
                n,
            ),
            o(
                format!("{fo} != NONE && {fs} != UPTODATE"),
                vec![],
                prog.target(fail),
            ),
        ],
        Op::FolioLock => vec![
            no_folio(),
            o(
                format!("{fo} != NONE && {fs} == UPTODATE"),
                vec![format!("{fs} = LOCKED | {t}")],
                n,
            ),
        ],
        Op::FolioUnlock => vec![
            no_folio(),
            o(
                format!("{fo} != NONE"),
                vec![
                    format!("assert({fs} == (LOCKED | {t}))"),
                    format!("{fs} = UPTODATE"),
                ],
                n,
            ),
        ],
        Op::FolioPut => vec![
            no_folio(),
            o(
                format!("{fo} != NONE"),
                vec![
                    format!("assert({fs} != (LOCKED | {t}))"),
                    format!("FREF_CLR({fo}, {t})"),
                    format!("{fo} = NONE"),
                ],
                n,
            ),
        ],
        Op::MapPte | Op::MapAnon => {
            let mut body = vec![
                deref,
                when(
                    &format!("V_COPY({h}) && V_CPT({h}) && mm_writer != {t}"),
                    &hz(Hazard::ForkCopy),
                ),
            ];
            if instr.op == Op::MapAnon {
                body.push(format!("assert(V_ANON({h}))"));
            } else {
                body.push(format!("assert({fo} != NONE && {fs} == (LOCKED | {t}))"));
            }
            vec![no_vma(), o(format!("{h} != NONE"), body, n)]
        }
        Op::VmaSetMaybeGuard => vec![
            no_vma(),
            o(
                format!("{h} != NONE"),
                vec![deref, format!("V_COF_SET({h})")],
                n,
            ),
        ],
        Op::GuardInstallPte => vec![
            no_vma(),
            o(
                format!("{h} != NONE"),
                vec![
                    deref,
                    when(
                        &format!("V_COPY({h}) && V_CPT({h}) && mm_writer != {t}"),
                        &hz(Hazard::ForkCopy),
                    ),
                ],
                n,
            ),
        ],
        Op::FuseDevRead | Op::UffdRead => {
            let (want, taken) = if instr.op == Op::UffdRead {
                ("IO_UFFD", "IO_UFFD_TAKEN")
            } else {
                ("IO_FUSE", "IO_FUSE_TAKEN")
            };
            (0..m.folios().len())
                .map(|f| {
                    o(
                        format!("f_st[{f}] == {want}"),
                        vec![format!("f_st[{f}] = {taken}"), format!("{fo} = {f}")],
                        n,
                    )
                })
                .collect()
        }
        Op::UffdioCopy => {
            let mut body = vec![format!("assert(VMA_READER({t}) || HELD({t}))")];
            body.extend(complete("IO_UFFD_TAKEN"));
            vec![o("true", body, n)]
        }
        Op::FuseDevWrite => vec![o("true", complete("IO_FUSE_TAKEN"), n)],
        Op::HandleUserfault { folio, present } => {
            let f = folio.0;
            vec![
                o(
                    format!("f_st[{f}] == UPTODATE"),
                    vec![],
                    prog.target(present),
                ),
                o(
                    format!("f_st[{f}] != UPTODATE"),
                    vec![when(
                        &format!("f_st[{f}] == ABSENT"),
                        &format!("f_st[{f}] = IO_UFFD"),
                    )],
                    n,
                ),
            ]
        }
        Op::CopyPageRange { vma } => vec![o(
            "true",
            vec![
                format!("assert(mm_writer == {t})"),
                format!("V_COPY_SET({})", vma.0),
                when(
                    &format!("V_COF({0}) || V_ANON({0})", vma.0),
                    &format!("V_CPT_SET({})", vma.0),
                ),
            ],
            n,
        )],
        Op::CopyPageRangeEnd { vma } => vec![o(
            "true",
            vec![
                format!("assert(V_COPY({}))", vma.0),
                format!("V_COPY_CLR({})", vma.0),
                format!("V_CPT_CLR({})", vma.0),
            ],
            n,
        )],
        Op::ChangeProtection { vma } => vec![o(
            "true",
            vec![format!("assert(mm_writer == {t} && V_WL({}))", vma.0)],
            n,
        )],
        Op::UnmapVmas { .. } => vec![o("true", vec![format!("assert(HELD({t}))")], n)],
        Op::Choose { alt } => vec![o("true", vec![], n), o("true", vec![], prog.target(alt))],
        Op::SetFlag(_)
        | Op::ClearFlag(_)
        | Op::IfFlag { .. }
        | Op::Goto(_)
        | Op::Exit
        | Op::FaultRetry => Vec::new(),
    };
    Ok(out)
}

/// `take_ref`: a second reference is a misuse.
fn take_ref(t: u8, f: u8) -> Vec<String> {
    vec![
        format!("assert(t_folio[{t}] == NONE)"),
        format!("FREF_SET({f}, {t})"),
        format!("t_folio[{t}] = {f}"),
    ]
}
