//! What the lexer, parser, compiler and catalog refuse, typed: one variant per kind of error with
//! its spans and names, and its wording in one place ([`Message::to_diagnostic`]).
//! Pikelet's `reporting.rs` is the model. A related place in another file carries
//! that file's catalog index; `Compiler::file_error` ties it to the file's text.

use faultline_protocol::{MAX_FOLIOS, MAX_THREADS, MAX_VMAS};

use crate::diag::{Diagnostic, Span};

/// A place in a loaded file: (catalog file index, span).
pub(crate) type At = (usize, Span);

/// What the lexer, parser, compiler and catalog refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Message {
    // ---- text that is not the language ----
    /// `/*` without `*/`.
    UnterminatedComment { span: Span },
    /// `"` without its closing quote.
    UnterminatedString { span: Span },
    /// Digits running into a name (`12ab`).
    MalformedNumber { span: Span },
    /// A number that does not fit an i64.
    NumberTooLarge { span: Span },
    /// A character no token starts with.
    UnexpectedCharacter { span: Span, ch: char },
    /// A token other than the grammar's next.
    Expected {
        span: Span,
        wanted: String,
        found: String,
    },
    /// Brackets or statements nested past the parser's bound.
    NestingTooDeep { span: Span, max: usize },
    /// A function type other than `void`, `vm_fault_t` and `bool`.
    UnknownReturnType { span: Span, name: String },
    /// `for (i = ..; j < ..; ..)`.
    LoopTestsAnother { span: Span, var: String },
    /// `for (i = ..; i < ..; j++)`.
    LoopStepsAnother { span: Span, var: String },
    /// A flag register other than `flags` and `fault`.
    UnknownRegister { span: Span, name: String },
    /// An expression statement that is not a call.
    ExpectedStatement { span: Span },

    // ---- knob declarations ----
    /// `knob k { a, a }`.
    ValueListedTwice { span: Span, name: String },
    /// `knob k { 3..1 }`.
    EmptyRange { span: Span },
    /// `source v "..."` for a value the knob does not have.
    SourceOfNoValue {
        span: Span,
        value: String,
        knob: String,
        valid: String,
    },
    /// A default the knob does not take.
    DefaultNotAValue {
        span: Span,
        default: String,
        knob: String,
        valid: String,
    },

    // ---- `exists` predicates ----
    /// `holds(...)`/`waits(...)` with the wrong number of arguments.
    QueryArity {
        span: Span,
        name: String,
        lo: usize,
        hi: usize,
    },
    /// A lock mode other than `read` and `write`.
    NotAMode { span: Span },
    /// A query other than `holds` and `waits`.
    UnknownQuery { span: Span, name: String },
    /// An expression that is no state predicate.
    NotAStatePredicate { span: Span },
    /// A query argument that is not a bare name.
    ExpectedName { span: Span },
    /// A thread or lock the build does not have.
    UnknownInState {
        span: Span,
        what: &'static str,
        name: String,
        names: Vec<String>,
    },

    // ---- lock check ----
    /// An unlock no path from the thread's start reaches holding the lock.
    UnlockNotHeld {
        span: Span,
        op: String,
        lock: String,
    },

    // ---- names that mean nothing here ----
    /// A bare name that is no parameter, knob, VMA, folio or constant.
    UnknownName {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },
    /// A call that is no primitive and no prelude function.
    UnknownCall {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },
    /// `goto` to a label the function does not have.
    UnknownLabel {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },
    /// A flag other than `FAULT_FLAG_TRIED` and `VM_FAULT_MAJOR`.
    UnknownFlag { span: Span, name: String },
    /// `process` other than `mm` and `other`.
    UnknownProcess { span: Span, name: String },
    /// A thread role other than the four.
    UnknownRole { span: Span, name: String },
    /// A VMA attribute other than `anon_vma`, `readonly` and the `VM_COPY_ON_FORK` flags.
    UnknownAttribute { span: Span, name: String },
    /// A clause names a design no file defines.
    UnknownDesign {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },
    /// `extends` names a design no file defines.
    UnknownParent {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },
    /// A design's clause names a scenario no file defines.
    UnknownScenario {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },
    /// A property id the checker does not have.
    UnknownProperty {
        span: Span,
        name: String,
        valid: Vec<String>,
    },
    /// `extends P(k = v)` pins a knob no design, scenario or file has.
    UnknownPinnedKnob {
        span: Span,
        name: String,
        context: String,
        candidates: Vec<String>,
    },
    /// A design override of a function the prelude does not have.
    OverridesNothing {
        span: Span,
        name: String,
        candidates: Vec<String>,
    },

    // ---- defined twice ----
    /// A design, scenario, function or knob id defined again (in any file).
    DefinedTwice {
        what: &'static str,
        name: String,
        again: Span,
        first: Option<At>,
    },
    /// A label defined twice in one function.
    LabelDefinedTwice {
        name: String,
        again: Span,
        first: Span,
    },
    /// A label placed twice (a label inside a compile-time loop).
    LabelPlacedTwice { span: Span, name: String },
    /// A thread declared twice in a scenario.
    ThreadDeclaredTwice {
        name: String,
        again: Span,
        first: Span,
    },
    /// A VMA, folio or thread name already taken.
    NameTaken {
        span: Span,
        name: String,
        first: Option<At>,
    },
    /// Two knob definitions of one name apply to one build.
    KnobDefinedTwice {
        span: Span,
        name: String,
        context: String,
    },
    /// `extends P(k = v, k = w)`.
    KnobPinnedTwice { span: Span, name: String },
    /// A scenario overrides a function its design overrides too.
    OverriddenTwice {
        span: Span,
        name: String,
        design: At,
    },
    /// A design extends itself through its parents.
    ExtendsItself { span: Span },

    // ---- calls ----
    /// An override whose return type or parameter count differs from the prelude's.
    SignatureDiffers {
        span: Span,
        name: String,
        ret: String,
        params: usize,
        base: At,
    },
    /// A call with the wrong number of arguments.
    WrongArity {
        span: Span,
        name: String,
        want: usize,
        given: usize,
    },
    /// A primitive called with the wrong number of operands (`takes`: one word each).
    PrimitiveArity {
        span: Span,
        name: String,
        takes: Vec<&'static str>,
        given: usize,
    },
    /// A primitive's operand of the wrong kind (a folio for a VMA...).
    WrongOperand {
        span: Span,
        op: String,
        want: &'static str,
        got: Option<String>,
        suggest: Option<(String, Vec<String>)>,
    },
    /// A `bool` predicate called as a statement.
    PredicateAsStatement { span: Span, name: String },
    /// Inlining (or a predicate's calls) deeper than the bound: recursion.
    TooDeep {
        span: Span,
        name: String,
        inlined: bool,
        max: usize,
    },
    /// Compile-time predicates making more calls than the bound.
    TooManyPredicateCalls { span: Span, max: u64 },
    /// A predicate whose body ends without `return`.
    PredicateWithoutReturn { span: Span, name: String },
    /// A fallible primitive whose result is dropped.
    ResultUnused { span: Span, name: String },
    /// An infallible primitive used as a condition.
    CannotFail { span: Span, name: String },
    /// A return code the caller has no `case` for.
    Unhandled {
        span: Span,
        code: String,
        passed_on: bool,
    },

    // ---- compile-time values ----
    /// Something that must fold at compile time but needs the running thread.
    NotConstant { span: Span, what: Constant },
    /// An arithmetic operator on a non-number.
    NeedsNumber {
        span: Span,
        op: String,
        value: String,
        unary: bool,
    },
    /// `/` or `%` by zero.
    DivisionByZero { span: Span },
    /// An operator the evaluator does not have.
    UnsupportedOperator { span: Span, op: String },
    /// `knob == word` where the knob never takes `word`.
    NotKnobValue {
        span: Span,
        word: String,
        knob: String,
        values: Vec<String>,
    },
    /// `vma_is_anonymous(...)` and friends without one VMA.
    TakesOneVma { span: Span, name: String },
    /// A statement other than `if` and `return` in a `bool` function.
    NotInPredicate { span: Span },

    // ---- scenario declarations ----
    /// A word outside its set (VMA kind, backing, start state, budget, admission).
    NotOneOf { span: Span, what: Word },
    /// More than the state encoding holds.
    TooMany { span: Span, what: Limit },
    /// Code in a scenario's body.
    NotADeclaration { span: Span },

    // ---- code ----
    /// A declaration in a function or thread.
    NotInCode { span: Span },
    /// A runtime test that is none of the forms the protocol has.
    NotACondition { span: Span },
    /// `flags & X` where X is not one flag.
    NotOneFlag { span: Span },
    /// `x->anon_vma` where x is not a VMA.
    AnonVmaOfNoVma { span: Span },
    /// `x->field` other than `anon_vma`.
    UnknownField { span: Span },
    /// `switch` on a primitive.
    SwitchOnPrimitive { span: Span },
    /// A `case` that does not end in a jump.
    CaseFallsThrough { span: Span },
    /// A `case` body that is more than a jump.
    CaseNotAJump { span: Span },
    /// `return VALUE;` in a thread.
    ThreadReturnsValue { span: Span },
    /// A label outside its function's label scope.
    LabelOutsideFunction { span: Span },
    /// A `goto` into code a compile-time `if` removed.
    LabelCompiledOut { span: Span, name: String },

    // ---- threads and builds ----
    /// A thread longer than a program can be.
    ThreadTooLong {
        span: Span,
        name: String,
        len: usize,
    },
    /// A loop of jumps that never reaches a step.
    LoopsForever { span: Span, name: String },
    /// A daemon that never waits for work.
    DaemonNeverYields { span: Span, name: String },
    /// The protocol refuses a thread's program.
    ThreadDoesNotBuild {
        span: Span,
        name: String,
        error: String,
    },
    /// The protocol refuses the scenario's machine.
    ScenarioDoesNotBuild { span: Span, error: String },
    /// A design, scenario or clause whose build fails (knob resolution).
    BuildFails {
        span: Span,
        error: String,
        of: &'static str,
    },
}

/// What must be a compile-time value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Constant {
    Index,
    Argument,
    ReturnCode,
    Case,
    LoopBounds,
    ScenarioIf,
    PredicateReturn,
    PredicateIf,
    CaseIf,
}

/// A word of a closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Word {
    VmaKind,
    Backing,
    FolioStart,
    ReclaimBudget,
    Admission,
}

/// A bound of the state encoding or of the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Limit {
    Threads,
    Vmas,
    Folios,
    LoopRounds,
}

/// The diagnostic's message, caret label and help, with the did-you-mean of `name`.
fn with(span: Span, message: impl Into<String>, label: impl Into<String>) -> Diagnostic {
    Diagnostic::new(span, message, label)
}

fn names(v: &[String]) -> impl Iterator<Item = &str> {
    v.iter().map(String::as_str)
}

impl Message {
    /// The one place a message is worded.
    pub(crate) fn to_diagnostic(&self) -> Diagnostic {
        use Message as M;
        match self {
            M::UnterminatedComment { span } => {
                with(*span, "unterminated comment", "this comment never ends")
            }
            M::UnterminatedString { span } => {
                with(*span, "unterminated string", "this string never ends")
            }
            M::MalformedNumber { span } => {
                with(*span, "malformed number", "a number runs into a name")
            }
            M::NumberTooLarge { span } => with(*span, "number too large", "does not fit"),
            M::UnexpectedCharacter { span, ch } => with(
                *span,
                format!("unexpected character `{}`", ch.escape_default()),
                "not part of the language",
            ),
            M::Expected { span, wanted, found } => with(
                *span,
                format!("expected {wanted}, found {found}"),
                format!("expected {wanted}"),
            ),
            M::NestingTooDeep { span, max } => {
                with(*span, "nesting too deep", format!("more than {max} levels"))
            }
            M::UnknownReturnType { span, name } => with(
                *span,
                format!("unknown return type `{name}`"),
                "not a return type",
            )
            .help("functions return `void`, `vm_fault_t` (inlined code) or `bool` (a compile-time predicate)"),
            M::LoopTestsAnother { span, var } => {
                with(*span, "the loop tests another variable", format!("expected `{var}`"))
            }
            M::LoopStepsAnother { span, var } => {
                with(*span, "the loop steps another variable", format!("expected `{var}`"))
            }
            M::UnknownRegister { span, name } => with(
                *span,
                format!("unknown register `{name}`"),
                "only `flags` and `fault` hold flags",
            ),
            M::ExpectedStatement { span } => {
                with(*span, "expected a statement", "a bare expression does nothing")
            }

            M::ValueListedTwice { span, name } => {
                with(*span, format!("value `{name}` is listed twice"), "again")
            }
            M::EmptyRange { span } => with(*span, "empty range", "the range has no values"),
            M::SourceOfNoValue { span, value, knob, valid } => with(
                *span,
                format!("`{value}` is not a value of knob `{knob}`"),
                "source of no value",
            )
            .help(format!("valid values: {valid}")),
            M::DefaultNotAValue { span, default, knob, valid } => with(
                *span,
                format!("default `{default}` is not a value of knob `{knob}`"),
                "not one of the values",
            )
            .help(format!("valid values: {valid}")),

            M::QueryArity { span, name, lo, hi } => {
                with(*span, format!("`{name}` takes {lo} to {hi} arguments"), "here")
            }
            M::NotAMode { span } => with(*span, "not a mode", "here").help("`read` or `write`"),
            M::UnknownQuery { span, name } => {
                with(*span, format!("unknown query `{name}`"), "not a query").help(
                    "queries are `holds(thread, lock[, read|write])` and `waits(thread, lock)`",
                )
            }
            M::NotAStatePredicate { span } => with(*span, "not a state predicate", "here")
                .help("combine `holds(...)` and `waits(...)` with `&&`, `||` and `!`"),
            M::ExpectedName { span } => with(*span, "expected a name", "here"),
            M::UnknownInState { span, what, name, names: those } => with(
                *span,
                format!("unknown {what} `{name}`"),
                format!("no such {what} here"),
            )
            .help(format!("{what}s here: {}", those.join(", ")))
            .suggest(name, names(those)),

            M::UnlockNotHeld { span, op, lock } => with(
                *span,
                format!("`{op}` of {lock} this path cannot hold"),
                "no path here holds it",
            )
            .help("every path from the thread's start reaches this unlock without the lock"),

            M::UnknownName { span, name, candidates } => with(
                *span,
                format!("unknown name `{name}`"),
                "not a parameter, knob, VMA, folio or constant",
            )
            .suggest(name, names(candidates)),
            M::UnknownCall { span, name, candidates } => with(
                *span,
                format!("unknown call `{name}`"),
                "not a faultline primitive or a prelude function",
            )
            .suggest(name, names(candidates)),
            M::UnknownLabel { span, name, candidates } => with(
                *span,
                format!("goto to undefined label `{name}`"),
                "no such label in this function",
            )
            .suggest(name, names(candidates)),
            M::UnknownFlag { span, name } => {
                with(*span, format!("unknown flag `{name}`"), "not a flag")
                    .suggest(name, ["FAULT_FLAG_TRIED", "VM_FAULT_MAJOR"])
            }
            M::UnknownProcess { span, name } => with(*span, format!("unknown process `{name}`"), "not a process")
                .help("`process mm` (the mm's own process, the default) or `process other` (another process, e.g. a daemon reading /proc/<pid>/cmdline)")
                .suggest(name, ["mm", "other"]),
            M::UnknownRole { span, name } => with(*span, format!("unknown thread role `{name}`"), "not a role")
                .suggest(name, ["fault", "fork", "modifier", "holder"])
                .help("roles: fault, fork, modifier, holder; write `daemon NAME { ... }` for a server"),
            M::UnknownAttribute { span, name } => with(
                *span,
                format!("`{name}` is not a VMA attribute"),
                "unknown attribute",
            )
            .help("a VMA's attributes are `anon_vma`, `readonly` and the VM_COPY_ON_FORK flags `pfnmap`, `mixedmap`, `uffd_wp`, `maybe_guard`"),
            M::UnknownDesign { span, name, candidates } => {
                with(*span, format!("unknown design `{name}`"), "no such design")
                    .suggest(name, names(candidates))
            }
            M::UnknownParent { span, name, candidates } => with(
                *span,
                format!("unknown design `{name}`"),
                "no such design to extend",
            )
            .suggest(name, names(candidates)),
            M::UnknownScenario { span, name, candidates } => {
                with(*span, format!("unknown scenario `{name}`"), "no such scenario")
                    .suggest(name, names(candidates))
            }
            M::UnknownProperty { span, name, valid } => {
                with(*span, format!("unknown property `{name}`"), "not a property")
                    .suggest(name, names(valid))
                    .help(format!("properties: {}", valid.join(", ")))
            }
            M::UnknownPinnedKnob { span, name, context, candidates } => with(
                *span,
                format!("unknown knob `{name}` pinned for {context}"),
                "no such knob",
            )
            .suggest(name, names(candidates)),
            M::OverridesNothing { span, name, candidates } => with(
                *span,
                format!("`{name}` overrides no prelude function"),
                "not in the prelude",
            )
            .suggest(name, names(candidates)),

            M::DefinedTwice { what, name, again, first } => {
                let d = with(*again, format!("{what} `{name}` is defined twice"), "defined again");
                match first {
                    Some((file, span)) => d.related(Some(*file), *span, "first defined here"),
                    None => d,
                }
            }
            M::LabelDefinedTwice { name, again, first } => {
                with(*again, format!("label `{name}` is defined twice"), "defined again")
                    .related(None, *first, "first defined here")
            }
            M::LabelPlacedTwice { span, name } => with(
                *span,
                format!("label `{name}` is placed twice (inside a loop?)"),
                "again",
            ),
            M::ThreadDeclaredTwice { name, again, first } => {
                with(*again, format!("thread `{name}` is declared twice"), "again")
                    .related(None, *first, "first declared here")
            }
            M::NameTaken { span, name, first } => {
                let d = with(*span, format!("`{name}` is already declared"), "name taken");
                match first {
                    Some((file, at)) => d.related(Some(*file), *at, "declared here"),
                    None => d,
                }
            }
            M::KnobDefinedTwice { span, name, context } => with(
                *span,
                format!("knob `{name}` is defined twice for {context}"),
                "defined again",
            ),
            M::KnobPinnedTwice { span, name } => {
                with(*span, format!("knob `{name}` is pinned twice"), "again")
            }
            M::OverriddenTwice { span, name, design } => with(
                *span,
                format!("the design also overrides `{name}`"),
                "overridden twice",
            )
            .related(Some(design.0), design.1, "the design's override")
            .help("a scenario may override only functions the design leaves alone"),
            M::ExtendsItself { span } => with(*span, "a design extends itself", "cycle"),

            M::SignatureDiffers { span, name, ret, params, base } => with(
                *span,
                format!("`{name}` must keep the prelude's signature ({ret} {name}, {params} parameters)"),
                "signature differs",
            )
            .related(Some(base.0), base.1, "the definition it overrides"),
            M::WrongArity { span, name, want, given } => with(
                *span,
                format!("`{name}` takes {want} arguments, {given} given"),
                "wrong number of arguments",
            ),
            M::PrimitiveArity { span, name, takes, given } => with(
                *span,
                format!("`{name}` takes {} arguments, {given} given", takes.len()),
                "wrong number of arguments",
            )
            .help(if takes.is_empty() {
                "it works on the thread's VMA/folio handle: no arguments".to_string()
            } else {
                format!("it takes {}", takes.join(", "))
            }),
            M::WrongOperand { span, op, want, got, suggest } => {
                let got = got.as_ref().map_or("a runtime value".to_string(), |v| format!("`{v}`"));
                let d = with(*span, format!("`{op}` takes {want}, not {got}"), format!("not {want}"));
                match suggest {
                    Some((name, candidates)) => d.suggest(name, names(candidates)),
                    None => d,
                }
            }
            M::PredicateAsStatement { span, name } => with(
                *span,
                format!("`{name}` is a compile-time predicate"),
                "use it in an `if`",
            ),
            M::TooDeep { span, name, inlined, max } => {
                let how = if *inlined { "inlined" } else { "called" };
                with(
                    *span,
                    format!("`{name}` is {how} more than {max} deep (recursion?)"),
                    "too deep",
                )
            }
            M::TooManyPredicateCalls { span, max } => with(
                *span,
                format!("compile-time predicates made more than {max} calls"),
                "too many calls",
            ),
            M::PredicateWithoutReturn { span, name } => with(
                *span,
                format!("predicate `{name}` ends without `return`"),
                "no value",
            ),
            M::ResultUnused { span, name } => with(
                *span,
                format!("`{name}` can fail: test it in an `if`"),
                "result unused",
            )
            .help(format!("write `if (!{name}(...)) goto LABEL;`")),
            M::CannotFail { span, name } => with(
                *span,
                format!("`{name}` cannot fail: it is not a condition"),
                "always succeeds",
            ),
            M::Unhandled { span, code, passed_on: false } => with(
                *span,
                format!("the caller does not handle `{code}`"),
                "unhandled return code",
            )
            .help("call it in a `switch` with a `case` for this code"),
            M::Unhandled { span, code, passed_on: true } => with(
                *span,
                format!("the caller does not handle `{code}`"),
                "passed on to a caller without a `case` for it",
            )
            .help("call the function in a `switch` with a `case` for this code"),

            M::NotConstant { span, what } => {
                let (message, label) = match what {
                    Constant::Index => ("an index must be a compile-time number", "not a number"),
                    Constant::Argument => ("arguments are compile-time values", "depends on the running thread"),
                    Constant::ReturnCode => ("a return code is a compile-time value", "not constant"),
                    Constant::Case => ("a case is a compile-time return code", "not constant"),
                    Constant::LoopBounds => ("loop bounds are compile-time numbers", "not numbers"),
                    Constant::ScenarioIf => ("a scenario's `if` tests compile-time values", "runtime test"),
                    Constant::PredicateReturn => ("a `bool` function returns a compile-time value", "depends on the running thread"),
                    Constant::PredicateIf => ("a `bool` function tests only compile-time values", "runtime test"),
                    Constant::CaseIf => ("a case tests only compile-time values", "runtime test"),
                };
                let d = with(*span, message, label);
                match what {
                    Constant::PredicateReturn => d.help("declare it `vm_fault_t` or `void` to emit code"),
                    _ => d,
                }
            }
            M::NeedsNumber { span, op, value, unary } => {
                let what = if *unary { "a number" } else { "numbers" };
                with(*span, format!("`{op}` needs {what}, not `{value}`"), "not a number")
            }
            M::DivisionByZero { span } => with(*span, "division by zero", "divides by zero"),
            M::UnsupportedOperator { span, op } => {
                with(*span, format!("unsupported operator `{op}`"), "here")
            }
            M::NotKnobValue { span, word, knob, values } => with(
                *span,
                format!("`{word}` is not a value of knob `{knob}`"),
                "never equal",
            )
            .help(match crate::diag::did_you_mean(word, names(values)) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("valid values: {}", values.join(", ")),
            }),
            M::TakesOneVma { span, name } => {
                with(*span, format!("`{name}` takes one VMA"), "needs a VMA")
            }
            M::NotInPredicate { span } => with(
                *span,
                "a `bool` function may only use `if` and `return`",
                "not allowed here",
            ),

            M::NotOneOf { span, what } => {
                let (message, label) = match what {
                    Word::VmaKind => ("a VMA kind is `anon`, `private-file` or `shared-file`", "not a VMA kind"),
                    Word::Backing => ("a folio's backing is `disk`, `fuse` or `uffd`", "not a backing"),
                    Word::FolioStart => ("a folio starts `absent`, `cached` or `reading`", "not a start state"),
                    Word::ReclaimBudget => ("reclaim takes a number of evictions (0..255) or `unbounded`", "not a budget"),
                    Word::Admission => ("admission is `fair` or `steal`", "not an admission mode"),
                };
                with(*span, message, label)
            }
            M::TooMany { span, what } => match what {
                Limit::Threads => with(*span, format!("more than {MAX_THREADS} threads"), "one thread too many")
                    .help("the state encoding holds at most this many threads"),
                Limit::Vmas => with(*span, format!("more than {MAX_VMAS} VMAs"), "one VMA too many"),
                Limit::Folios => with(*span, format!("more than {MAX_FOLIOS} folios"), "one folio too many"),
                Limit::LoopRounds => with(*span, "a loop of more than 64 rounds", "too many"),
            },
            M::NotADeclaration { span } => with(*span, "not a scenario declaration", "code belongs in a thread or function")
                .help("a scenario declares `vma`, `folio`, `thread`, `daemon`, `reclaim`, `admission`, `if` and `for`"),

            M::NotInCode { span } => {
                with(*span, "not allowed in code", "declarations belong to the scenario")
            }
            M::NotACondition { span } => with(*span, "not a condition", "cannot test this at run time")
                .help("runtime tests: a fallible call, `flags & FLAG`, `v->anon_vma`, combined with `!`, `&&`, `||`"),
            M::NotOneFlag { span } => {
                with(*span, "test one flag: `flags & FAULT_FLAG_TRIED`", "not a flag")
            }
            M::AnonVmaOfNoVma { span } => with(*span, "`->anon_vma` needs a VMA", "not a VMA"),
            M::UnknownField { span } => with(
                *span,
                "the only field is `anon_vma` (`v->anon_vma`, `vmf->vma->anon_vma`)",
                "unknown field",
            ),
            M::SwitchOnPrimitive { span } => with(
                *span,
                "switch on a primitive",
                "switch on an inlined function's return code",
            ),
            M::CaseFallsThrough { span } => with(
                *span,
                "every case must end in `goto LABEL;` or `return CODE;`",
                "falls through",
            ),
            M::CaseNotAJump { span } => with(
                *span,
                "a case only jumps (`goto LABEL;` or `return CODE;`)",
                "not a jump",
            ),
            M::ThreadReturnsValue { span } => {
                with(*span, "a thread returns no value", "value ignored")
            }
            M::LabelOutsideFunction { span } => with(*span, "label outside its function", "here"),
            M::LabelCompiledOut { span, name } => with(
                *span,
                format!("label `{name}` is compiled out here"),
                "jumps into code a compile-time `if` removed",
            ),

            M::ThreadTooLong { span, name, len } => with(
                *span,
                format!("thread `{name}` compiles to {len} instructions; at most 254 are allowed"),
                "too long",
            ),
            M::LoopsForever { span, name } => with(
                *span,
                format!("thread `{name}` loops here forever without a step"),
                "jumps back without doing anything",
            )
            .help("the kernel would spin; every loop must lock, wait or test a flag"),
            M::DaemonNeverYields { span, name } => with(*span, format!("daemon `{name}` never yields"), "never waits for work")
                .help("a daemon must wait for work (`fuse_dev_do_read()` or `userfaultfd_read()`); make it a `thread` otherwise"),
            M::ThreadDoesNotBuild { span, name, error } => with(
                *span,
                format!("thread `{name}` does not build: {error}"),
                "this thread",
            ),
            M::ScenarioDoesNotBuild { span, error } => {
                with(*span, format!("scenario does not build: {error}"), "this scenario")
            }
            M::BuildFails { span, error, of } => with(*span, error.clone(), format!("this {of}")),
        }
    }
}

/// A compile error in a file.
#[derive(Debug)]
pub(crate) struct CErr {
    pub file: usize,
    /// Boxed: a `Result<_, CErr>` stays small on the happy path.
    pub diag: Box<Diagnostic>,
}

impl CErr {
    pub(crate) fn new(file: usize, d: impl Into<Diagnostic>) -> CErr {
        CErr {
            file,
            diag: Box::new(d.into()),
        }
    }
}

impl Message {
    /// The variant's name (its `Debug` text up to the fields).
    fn kind(&self) -> Box<str> {
        let debug = format!("{self:?}");
        debug
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .into()
    }
}

impl From<Message> for Diagnostic {
    fn from(m: Message) -> Diagnostic {
        let mut d = m.to_diagnostic();
        d.kind = m.kind();
        d
    }
}
