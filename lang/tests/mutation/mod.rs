//! Mutations of every catalog file (token deletions, duplications, swaps,
//! truncations, random bytes): loading each must give a clean error with a position
//! inside the file, or a catalog that builds; never a panic or a hang. Deterministic
//! (a fixed xorshift seed), in-process, at least 10,000 mutations in all.

use faultline_lang::Compiler;

use super::FILES;

mod tokens;

use tokens::{Rng, tokens};

fn mutate(text: &str, rng: &mut Rng) -> Vec<u8> {
    let toks = tokens(text);
    let b = text.as_bytes();
    let (s, e) = toks[rng.below(toks.len())];
    let mut out = Vec::with_capacity(b.len() + 16);
    match rng.below(5) {
        0 => {
            out.extend_from_slice(&b[..s]);
            out.extend_from_slice(&b[e..]);
        }
        1 => {
            out.extend_from_slice(&b[..e]);
            out.push(b' ');
            out.extend_from_slice(&b[s..]);
        }
        2 => {
            let (s2, e2) = toks[rng.below(toks.len())];
            let (a, z) = if s < s2 {
                ((s, e), (s2, e2))
            } else {
                ((s2, e2), (s, e))
            };
            if a.1 > z.0 {
                out.extend_from_slice(b);
            } else {
                out.extend_from_slice(&b[..a.0]);
                out.extend_from_slice(&b[z.0..z.1]);
                out.extend_from_slice(&b[a.1..z.0]);
                out.extend_from_slice(&b[a.0..a.1]);
                out.extend_from_slice(&b[z.1..]);
            }
        }
        3 => out.extend_from_slice(&b[..rng.below(b.len())]),
        _ => {
            out.extend_from_slice(b);
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(out.len());
                out[at] = (rng.next() & 0xff) as u8;
            }
        }
    }
    out
}

#[test]
fn ten_thousand_mutations_of_the_catalog_give_clean_errors_or_valid_catalogs() {
    let mut base = Compiler::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut total = 0;
    let mut errors = 0;
    // The prelude mutates against nothing; every other file against the prelude.
    for (i, (name, text)) in FILES.iter().enumerate() {
        let per_file = if i == 0 { 2_000 } else { 700 };
        for _ in 0..per_file {
            let bytes = mutate(text, &mut rng);
            let Ok(src) = String::from_utf8(bytes) else {
                // Not UTF-8: the command line refuses it before the parser sees it.
                total += 1;
                continue;
            };
            let mut c = base.clone();
            match c.load(name, &src) {
                Ok(()) => {
                    // A valid mutant must build (or refuse a knob cleanly) everywhere.
                    for d in c.design_ids() {
                        for s in c.scenario_ids() {
                            let _ = c.build(&d, &s, &[]);
                        }
                    }
                }
                Err(e) => {
                    errors += 1;
                    let d = e.diagnostics.first().expect("a diagnostic");
                    // The error may sit in a prelude function the mutant calls.
                    assert!(
                        d.span.lo as usize <= e.source_text.len(),
                        "{}",
                        e.headline()
                    );
                    let r = e.render();
                    assert!(r.starts_with("error: "), "{r}");
                    assert!(r.contains(&format!("--> {}:", e.file)), "{r}");
                }
            }
            total += 1;
        }
        base.load(name, text).expect("the file loads");
    }
    assert!(total >= 10_000, "{total}");
    // `source` clauses (issue 16) are long strings a mutant may change harmlessly.
    assert!(
        errors * 5 > total * 2,
        "too few mutants are wrong: {errors} of {total}"
    );
}
