//! Every semantic check, with the message, the caret's line and the did-you-mean.

mod golden;

use super::catalog;

/// Loads `text` as a user file over the catalog; returns the headline and rendering.
fn error(text: &str) -> (String, String) {
    let mut c = catalog();
    let e = c.load("user.fl", text).expect_err("the file is wrong");
    (e.headline(), e.render())
}

const SCEN: &str =
    "scenario s {\n\tproperties deadlock;\n\tvma F = private-file;\n\tfolio f = disk absent;\n";

#[test]
fn an_unknown_call_names_the_primitive_it_resembles() {
    let (h, r) = error(&format!(
        "{SCEN}\tthread fault t {{\n\t\tmmap_read_lok();\n\t\treturn;\n\t}}\n}}\n"
    ));
    assert_eq!(h, "user.fl:6:3: unknown call `mmap_read_lok`");
    assert!(r.contains("did you mean `mmap_read_lock`?"), "{r}");
    assert!(r.contains("mmap_read_lok();") && r.contains("^^^"), "{r}");
    assert!(r.is_ascii(), "{r}");
}

#[test]
fn an_unknown_vma_or_folio_names_the_declared_one() {
    let (h, r) = error(&format!(
        "{SCEN}\tthread fault t {{\n\t\tdo_user_addr_fault(user, G, FILE, f);\n\t\treturn;\n\t}}\n}}\n"
    ));
    assert_eq!(h, "user.fl:6:28: unknown name `G`");
    assert!(r.contains("did you mean `F`?"), "{r}");
    let (h, _) = error(&format!(
        "{SCEN}\tthread modifier t {{\n\t\tvma_start_write(f);\n\t\treturn;\n\t}}\n}}\n"
    ));
    assert_eq!(
        h,
        "user.fl:6:19: `vma_start_write` takes a VMA, not `folio #0`"
    );
}

#[test]
fn goto_to_an_undefined_label_suggests_the_label() {
    let (h, r) = error("void f()\n{\nagain:\n\tmmap_read_lock();\n\tgoto agian;\n}\n");
    assert_eq!(h, "user.fl:5:7: goto to undefined label `agian`");
    assert!(r.contains("did you mean `again`?"), "{r}");
}

#[test]
fn a_knob_value_typo_and_an_unknown_design_are_caught() {
    let (h, r) = error(&format!(
        "{SCEN}\tknob k {{ on, off }} = on \"h\";\n\tif (k == of) vma G = anon;\n}}\n"
    ));
    assert_eq!(h, "user.fl:6:11: `of` is not a value of knob `k`");
    assert!(r.contains("did you mean `off`?"), "{r}");
    // A clause may name a design of a later file: the name is checked once all load.
    let mut c = catalog();
    c.load(
        "user.fl",
        &format!("{SCEN}\texpect hold-i0: deadlock;\n}}\n"),
    )
    .expect("hold-i0 may come in a later file");
    let e = c.unresolved().expect_err("no file defines hold-i0");
    let (h, r) = (e.headline(), e.render());
    assert_eq!(h, "user.fl:5:9: unknown design `hold-i0`");
    assert!(r.contains("did you mean `hold-io`?"), "{r}");
    let (h, r) = error("design d extends vma-retyr() { title \"t\"; }\n");
    assert_eq!(h, "user.fl:1:18: unknown design `vma-retyr`");
    assert!(r.contains("did you mean `vma-retry`?"), "{r}");
}

#[test]
fn an_unknown_knob_in_code_names_the_knob() {
    let (h, r) = error(
        "design d {\n\ttitle \"t\";\n\tknob hold { on, off } = on \"h\";\n\tbool waits_if_uptodate()\n\t{\n\t\treturn hlod == on;\n\t}\n}\n",
    );
    assert_eq!(h, "user.fl:6:10: unknown name `hlod`");
    assert!(r.contains("did you mean `hold`?"), "{r}");
}

#[test]
fn an_unlock_no_path_can_hold_is_refused() {
    let (h, r) = error(&format!(
        "{SCEN}\tthread modifier t {{\n\t\tmmap_read_lock();\n\t\tmmap_read_unlock();\n\t\tmmap_read_unlock();\n\t\treturn;\n\t}}\n}}\n"
    ));
    assert_eq!(
        h,
        "user.fl:8:3: `mmap_read_unlock` of mmap_lock for read this path cannot hold"
    );
    assert!(r.contains("no path here holds it"), "{r}");
    // Held on one path only: fine (the explorer judges that one).
    let mut c = catalog();
    c.load("ok.fl", &format!("{SCEN}\tthread modifier t {{\n\t\tif (!mmap_read_trylock())\n\t\t\tgoto out;\n\t\tmmap_read_unlock();\nout:\n\t\treturn;\n\t}}\n}}\n"))
        .unwrap_or_else(|e| panic!("{}", e.render()));
}

#[test]
fn a_daemon_that_never_yields_is_refused() {
    let (h, r) = error(&format!(
        "{SCEN}\tdaemon d {{\n\tagain:\n\t\tmmap_read_lock();\n\t\tmmap_read_unlock();\n\t\tgoto again;\n\t}}\n}}\n"
    ));
    assert_eq!(h, "user.fl:5:9: daemon `d` never yields");
    assert!(r.contains("fuse_dev_do_read"), "{r}");
}

#[test]
fn more_threads_vmas_or_folios_than_the_encoding_holds_are_refused() {
    let threads: String = (0..17)
        .map(|i| format!("\tthread fork t{i} {{ dup_mmap(); return; }}\n"))
        .collect();
    let (h, _) = error(&format!("{SCEN}{threads}}}\n"));
    assert!(h.contains("more than"), "{h}");
    assert!(h.contains("threads"), "{h}");
    let vmas: String = (0..20).map(|i| format!("\tvma V{i} = anon;\n")).collect();
    let (h, _) = error(&format!("{SCEN}{vmas}}}\n"));
    assert!(h.contains("VMAs"), "{h}");
    let folios: String = (0..20)
        .map(|i| format!("\tfolio g{i} = disk absent;\n"))
        .collect();
    let (h, _) = error(&format!("{SCEN}{folios}}}\n"));
    assert!(h.contains("folios"), "{h}");
}

#[test]
fn a_fallible_call_as_a_statement_and_an_unhandled_return_code_are_refused() {
    let (h, r) = error(&format!(
        "{SCEN}\tthread fault t {{\n\t\tmmap_read_trylock();\n\t}}\n}}\n"
    ));
    assert_eq!(
        h,
        "user.fl:6:3: `mmap_read_trylock` can fail: test it in an `if`"
    );
    assert!(r.contains("goto LABEL"), "{r}");
    let (h, _) = error(&format!(
        "{SCEN}\tthread fault t {{\n\t\tfilemap_fault(VMA_LOCK, f);\n\t}}\n}}\n"
    ));
    assert!(
        h.contains("the caller does not handle `VM_FAULT_RETRY`"),
        "{h}"
    );
}

#[test]
fn a_new_design_is_one_override_and_builds_against_every_scenario() {
    let mut c = catalog();
    c.load(
        "never-wait.fl",
        "design never-wait {\n\ttitle \"never wait for file I/O under a lock\";\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\treturn 1;\n\t}\n}\n",
    )
    .unwrap_or_else(|e| panic!("{}", e.render()));
    let b = c.build("never-wait", "fork-fuse", &[]).expect("builds");
    assert_eq!(b.machine.threads().len(), 3);
    let listing = c.listing("never-wait", "fork-fuse", &[]).expect("lists");
    assert!(listing.contains("lock_vma_under_rcu"), "{listing}");
}

#[test]
fn a_daemon_of_another_process_compiles_and_a_misspelt_process_is_caught() {
    let daemon = "\tdaemon d process other {\ntop:\n\t\tfuse_dev_do_read();\n\t\tfuse_dev_do_write();\n\t\tgoto top;\n\t}\n}\n";
    let mut c = catalog();
    c.load("user.fl", &format!("{SCEN}{daemon}"))
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let b = c.build("upstream", "s", &[]).expect("builds");
    assert_eq!(
        b.machine.threads()[0].process,
        faultline_protocol::Process::Other
    );
    let (h, r) = error(&format!("{SCEN}{}", daemon.replace("other", "othre")));
    assert_eq!(h, "user.fl:5:19: unknown process `othre`");
    assert!(r.contains("did you mean `other`?"), "{r}");
}

#[test]
fn a_recursive_bool_predicate_is_refused_not_a_stack_overflow() {
    let direct = "design rec {\n\ttitle \"r\";\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\treturn drops_lock_for_io(fault_lock, page);\n\t}\n}\n";
    let (h, _) = error(direct);
    assert!(h.contains("called more than 32 deep (recursion?)"), "{h}");
    let mutual = "design rec {\n\ttitle \"r\";\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\treturn waits_if_uptodate();\n\t}\n\tbool waits_if_uptodate()\n\t{\n\t\treturn drops_lock_for_io(1, 1);\n\t}\n}\n";
    let (h, _) = error(mutual);
    assert!(h.contains("deep (recursion?)"), "{h}");
    // Two calls per level, 32 levels deep, would be 2^32 calls: bounded in total.
    let wide = "design rec {\n\ttitle \"r\";\n\tbool drops_lock_for_io(fault_lock, page)\n\t{\n\t\tif (drops_lock_for_io(fault_lock, page)) return 1;\n\t\treturn drops_lock_for_io(fault_lock, page);\n\t}\n}\n";
    let (h, _) = error(wide);
    assert!(h.contains("recursion?") || h.contains("more than"), "{h}");
}

#[test]
fn a_misspelt_or_twice_pinned_knob_in_extends_is_refused_where_written() {
    let (h, r) = error("design a extends vma-retry(vma-retry-trie = off) { title \"a\"; }\n");
    assert_eq!(
        h,
        "user.fl:1:28: unknown knob `vma-retry-trie` pinned for a x evict-retry"
            .replace("evict-retry", h.rsplit(" x ").next().unwrap_or(""))
            .as_str()
    );
    assert!(r.contains("did you mean `vma-retry-tried`?"), "{r}");
    let (h, _) = error(
        "design a extends vma-retry(vma-retry-tried = off, vma-retry-tried = on) { title \"a\"; }\n",
    );
    assert_eq!(h, "user.fl:1:51: knob `vma-retry-tried` is pinned twice");
}

#[test]
fn a_global_knob_pinned_in_extends_is_applied_not_dropped() {
    let mut c = catalog();
    c.load(
        "user.fl",
        "design a extends upstream(fork-lock = none) { title \"a\"; }\ndesign b extends upstream { title \"b\"; }\n",
    )
    .expect("loads");
    let pinned = c.listing("a", "fork-fuse", &[]).expect("builds");
    let plain = c.listing("upstream", "fork-fuse", &[]).expect("builds");
    let none = c
        .listing(
            "upstream",
            "fork-fuse",
            &[("fork-lock".into(), "none".into())],
        )
        .expect("builds");
    assert_ne!(pinned, plain, "the pin changed nothing");
    // The `// ... source:` lines name the design's own source, which `a` does not
    // inherit; the machine below them must be the same.
    let body = |l: &str| {
        l.lines()
            .filter(|x| !x.starts_with("// "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&pinned).replace("a x", "upstream x"),
        body(&none).replace("a x", "upstream x")
    );
    // `extends P` with no pins parses.
    assert!(c.listing("b", "fork-fuse", &[]).is_ok());
}

#[test]
fn a_goto_loop_in_a_design_function_is_a_compile_error_with_its_position() {
    let (h, r) = error(
        "design loopy extends upstream {\n\ttitle \"l\";\n\tvoid release_fault_lock(fault_lock)\n\t{\nhere:\n\t\tgoto here;\n\t}\n}\n",
    );
    assert!(h.starts_with("user.fl:6:"), "{h}");
    assert!(h.ends_with("loops here forever without a step"), "{h}");
    assert!(r.contains("goto here;"), "{r}");
}

#[test]
fn clauses_may_name_designs_and_scenarios_of_later_files_in_either_order() {
    let design = "design later {\n\ttitle \"t\";\n\texpect s: ~deadlock;\n}\n";
    let scen = format!(
        "{SCEN}\tthread fault t {{\n\t\tmmap_read_lock();\n\t\tmmap_read_unlock();\n\t\treturn;\n\t}}\n\texpect later: ~deadlock;\n}}\n"
    );
    for order in [
        [("d.fl", design), ("s.fl", &*scen)],
        [("s.fl", &*scen), ("d.fl", design)],
    ] {
        let mut c = catalog();
        for (name, text) in order {
            c.load(name, text).expect("loads");
        }
        c.unresolved().expect("every name is defined");
    }
    let mut c = catalog();
    c.load("d.fl", &design.replace("expect s:", "expect z:"))
        .expect("z may come later");
    let e = c.unresolved().expect_err("no file defines z");
    assert_eq!(e.headline(), "d.fl:3:9: unknown scenario `z`");
}
