//! Recursive-descent parser: tokens to [`crate::ast::File`]. Stops at the first error
//! (one clear message beats a cascade in a file this small).

use crate::ast::{
    Design, Exists, Expect, Expr, File, Func, Ident, KnobDecl, KnobValues, Name, Scenario, Stmt,
};
use crate::diag::{Diagnostic, Span};
use crate::lexer::{Tok, Token, lex};
use crate::reporting::Message;

/// Deeper nesting than this is refused (keeps a hostile file from blowing the stack).
const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

type R<T> = Result<T, Diagnostic>;

/// The designs of a clause and its `with` knob settings.
type ClauseHead = (Vec<Ident>, Vec<(Ident, Ident)>);

/// Parses a whole file.
pub(crate) fn parse(src: &str) -> R<File> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    p.file()
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Int(n) => format!("`{n}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::Eof => "the end of the file".into(),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }
    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }
    fn span(&self) -> Span {
        self.toks[self.pos].span
    }
    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].span
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }
    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn unexpected(&self, wanted: &str) -> Diagnostic {
        Message::Expected {
            span: self.span(),
            wanted: wanted.to_string(),
            found: describe(self.peek()),
        }
        .into()
    }
    fn expect(&mut self, p: &str) -> R<Span> {
        if self.is(p) {
            Ok(self.bump().span)
        } else {
            Err(self.unexpected(&format!("`{p}`")))
        }
    }
    fn ident(&mut self) -> R<Ident> {
        match self.peek().clone() {
            Tok::Ident(name) => {
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            _ => Err(self.unexpected("a name")),
        }
    }
    /// A word or a number used as a word (knob values `0`, `unbounded`).
    fn word(&mut self) -> R<Ident> {
        if let Tok::Int(n) = self.peek().clone() {
            let span = self.bump().span;
            return Ok(Ident {
                name: n.to_string(),
                span,
            });
        }
        self.ident()
    }
    fn string(&mut self) -> R<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected("a string")),
        }
    }
    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Message::NestingTooDeep {
                span: self.span(),
                max: MAX_DEPTH,
            }
            .into());
        }
        Ok(())
    }

    fn file(&mut self) -> R<File> {
        let mut f = File::default();
        loop {
            match self.peek().clone() {
                Tok::Eof => return Ok(f),
                Tok::Ident(w) if w == "knob" => f.knobs.push(self.knob()?),
                Tok::Ident(w) if w == "design" => f.designs.push(self.design()?),
                Tok::Ident(w) if w == "scenario" => f.scenarios.push(self.scenario()?),
                Tok::Ident(w) if w == "admission" => {
                    self.bump();
                    f.admission = Some(self.expr()?);
                    self.expect(";")?;
                }
                Tok::Ident(_) => f.funcs.push(self.func()?),
                _ => return Err(self.unexpected("`knob`, `design`, `scenario` or a function")),
            }
        }
    }

    /// `process mm|other` after a thread's name.
    fn process(&mut self) -> R<Option<Ident>> {
        if !self.is_word("process") {
            return Ok(None);
        }
        self.bump();
        Ok(Some(self.ident()?))
    }

    fn knob(&mut self) -> R<KnobDecl> {
        self.bump();
        let name = self.ident()?;
        let values = if self.eat("{") {
            let mut v = vec![self.word()?];
            while self.eat(",") {
                v.push(self.word()?);
            }
            self.expect("}")?;
            KnobValues::Choice(v)
        } else if self.eat("[") {
            let lo = self.int()?;
            self.expect(",")?;
            let hi = self.int()?;
            self.expect("]")?;
            KnobValues::Range(lo, hi)
        } else {
            return Err(self.unexpected("`{` (a list of values) or `[` (a range)"));
        };
        self.expect("=")?;
        let default = self.word()?;
        let help = self.string()?;
        let mut sources = Vec::new();
        while self.is_word("source") {
            self.bump();
            let v = self.word()?;
            sources.push((v, self.string()?));
        }
        self.expect(";")?;
        Ok(KnobDecl {
            name,
            values,
            default,
            help,
            sources,
        })
    }

    fn int(&mut self) -> R<i64> {
        match self.peek() {
            Tok::Int(n) => {
                let n = *n;
                self.bump();
                Ok(n)
            }
            _ => Err(self.unexpected("a number")),
        }
    }

    fn settings(&mut self, close: &str) -> R<Vec<(Ident, Ident)>> {
        let mut v = Vec::new();
        if self.is(close) {
            return Ok(v);
        }
        loop {
            let k = self.ident()?;
            self.expect("=")?;
            v.push((k, self.word()?));
            if !self.eat(",") {
                return Ok(v);
            }
        }
    }

    fn design(&mut self) -> R<Design> {
        self.bump();
        let name = self.ident()?;
        let parent = if self.is_word("extends") {
            self.bump();
            let p = self.ident()?;
            // `extends P` pins nothing; `extends P(k = v, ...)` pins knobs.
            let s = if self.eat("(") {
                let s = self.settings(")")?;
                self.expect(")")?;
                s
            } else {
                Vec::new()
            };
            Some((p, s))
        } else {
            None
        };
        let mut d = Design {
            name,
            parent,
            title: String::new(),
            summary: String::new(),
            source: Vec::new(),
            knobs: Vec::new(),
            funcs: Vec::new(),
            expects: Vec::new(),
        };
        self.expect("{")?;
        while !self.eat("}") {
            match self.peek().clone() {
                Tok::Ident(w) if w == "expect" => d.expects.push(self.expect_clause()?),
                Tok::Ident(w) if w == "title" => d.title = self.text_item()?,
                Tok::Ident(w) if w == "summary" => d.summary = self.text_item()?,
                Tok::Ident(w) if w == "source" => d.source.push(self.text_item()?),
                Tok::Ident(w) if w == "knob" => d.knobs.push(self.knob()?),
                Tok::Ident(_) => d.funcs.push(self.func()?),
                _ => {
                    return Err(
                        self.unexpected("`title`, `summary`, `source`, `knob`, a function or `}`")
                    );
                }
            }
        }
        Ok(d)
    }

    fn text_item(&mut self) -> R<String> {
        self.bump();
        let s = self.string()?;
        self.expect(";")?;
        Ok(s)
    }

    fn scenario(&mut self) -> R<Scenario> {
        self.bump();
        let name = self.ident()?;
        let mut s = Scenario {
            name,
            title: String::new(),
            summary: String::new(),
            source: Vec::new(),
            knobs: Vec::new(),
            funcs: Vec::new(),
            properties: Vec::new(),
            body: Vec::new(),
            expects: Vec::new(),
            exists: Vec::new(),
        };
        self.expect("{")?;
        while !self.eat("}") {
            match self.peek().clone() {
                Tok::Ident(w) if w == "title" => s.title = self.text_item()?,
                Tok::Ident(w) if w == "summary" => s.summary = self.text_item()?,
                Tok::Ident(w) if w == "source" => s.source.push(self.text_item()?),
                Tok::Ident(w) if w == "knob" => s.knobs.push(self.knob()?),
                Tok::Ident(w) if w == "properties" => {
                    self.bump();
                    s.properties.push(self.ident()?);
                    while self.eat(",") {
                        s.properties.push(self.ident()?);
                    }
                    self.expect(";")?;
                }
                Tok::Ident(w) if w == "expect" => s.expects.push(self.expect_clause()?),
                Tok::Ident(w) if w == "exists" => s.exists.push(self.exists_clause()?),
                Tok::Ident(w)
                    if matches!(w.as_str(), "void" | "vm_fault_t" | "bool" | "static")
                        && matches!(self.peek_at(2), Tok::Punct("(")) =>
                {
                    s.funcs.push(self.func()?)
                }
                _ => s.body.push(self.stmt()?),
            }
        }
        Ok(s)
    }

    fn clause_head(&mut self) -> R<ClauseHead> {
        let mut designs = Vec::new();
        loop {
            if self.is("*") {
                let span = self.bump().span;
                designs.push(Ident {
                    name: "*".into(),
                    span,
                });
            } else {
                designs.push(self.ident()?);
            }
            if !self.eat(",") {
                break;
            }
        }
        let with = if self.is_word("with") {
            self.bump();
            self.settings(":")?
        } else {
            Vec::new()
        };
        self.expect(":")?;
        Ok((designs, with))
    }

    fn expect_clause(&mut self) -> R<Expect> {
        let start = self.bump().span;
        let (designs, with) = self.clause_head()?;
        let mut props = Vec::new();
        loop {
            let holds = self.eat("~");
            props.push((self.ident()?, !holds));
            if !self.eat(",") {
                break;
            }
        }
        let end = self.expect(";")?;
        Ok(Expect {
            designs,
            with,
            props,
            span: start.to(end),
        })
    }

    fn exists_clause(&mut self) -> R<Exists> {
        let start = self.bump().span;
        let (designs, with) = self.clause_head()?;
        let pred = self.expr()?;
        let end = self.expect(";")?;
        Ok(Exists {
            designs,
            with,
            pred,
            span: start.to(end),
        })
    }

    fn func(&mut self) -> R<Func> {
        // Qualifiers and the return type: `static inline vm_fault_t name(...)`.
        let mut words = vec![self.ident()?];
        while !self.is("(") {
            if self.eat("*") {
                continue;
            }
            words.push(self.ident()?);
        }
        let name = words
            .pop()
            .ok_or_else(|| self.unexpected("a function name"))?;
        let ret = words
            .pop()
            .ok_or_else(|| self.unexpected("a return type before the name"))?;
        if !matches!(ret.name.as_str(), "void" | "vm_fault_t" | "bool") {
            return Err(Message::UnknownReturnType {
                span: ret.span,
                name: ret.name.clone(),
            }
            .into());
        }
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.is(")") {
            loop {
                // `struct vm_area_struct *vma`: the last word is the name.
                let mut last = self.ident()?;
                while !self.is(",") && !self.is(")") {
                    if self.eat("*") {
                        continue;
                    }
                    last = self.ident()?;
                }
                params.push(last);
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect(")")?;
        let body = self.block()?;
        Ok(Func {
            ret,
            name,
            params,
            body,
        })
    }

    fn block(&mut self) -> R<Vec<Stmt>> {
        self.expect("{")?;
        self.enter()?;
        let mut v = Vec::new();
        while !self.eat("}") {
            v.push(self.stmt()?);
        }
        self.depth -= 1;
        Ok(v)
    }

    fn name(&mut self) -> R<Name> {
        let base = self.ident()?;
        let index = if self.eat("[") {
            let e = self.expr()?;
            self.expect("]")?;
            Some(Box::new(e))
        } else {
            None
        };
        Ok(Name { base, index })
    }

    fn stmt(&mut self) -> R<Stmt> {
        self.enter()?;
        let s = self.stmt_inner();
        self.depth -= 1;
        s
    }

    fn stmt_inner(&mut self) -> R<Stmt> {
        if self.is("{") {
            return Ok(Stmt::Block(self.block()?));
        }
        if self.eat(";") {
            return Ok(Stmt::Block(Vec::new()));
        }
        let Tok::Ident(w) = self.peek().clone() else {
            return Err(self.unexpected("a statement"));
        };
        if matches!(self.peek_at(1), Tok::Punct(":")) {
            let l = self.ident()?;
            self.bump();
            return Ok(Stmt::Label(l));
        }
        match w.as_str() {
            "if" => {
                let start = self.bump().span;
                self.expect("(")?;
                let c = self.expr()?;
                self.expect(")")?;
                let then = Box::new(self.stmt()?);
                let els = if self.is_word("else") {
                    self.bump();
                    Some(Box::new(self.stmt()?))
                } else {
                    None
                };
                Ok(Stmt::If(c, then, els, start))
            }
            "goto" => {
                self.bump();
                let l = self.ident()?;
                self.expect(";")?;
                Ok(Stmt::Goto(l))
            }
            "return" => {
                let start = self.bump().span;
                let e = if self.is(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                let end = self.expect(";")?;
                Ok(Stmt::Return(e, start.to(end)))
            }
            "switch" => {
                let start = self.bump().span;
                self.expect("(")?;
                let call = self.expr()?;
                self.expect(")")?;
                self.expect("{")?;
                let mut cases = Vec::new();
                while !self.eat("}") {
                    if !self.is_word("case") {
                        return Err(self.unexpected("`case` or `}`"));
                    }
                    self.bump();
                    let v = self.expr()?;
                    self.expect(":")?;
                    let mut body = Vec::new();
                    while !self.is_word("case") && !self.is("}") {
                        if matches!(self.peek(), Tok::Eof) {
                            return Err(self.unexpected("`}`"));
                        }
                        body.push(self.stmt()?);
                    }
                    cases.push((v, body));
                }
                Ok(Stmt::Switch(call, cases, start))
            }
            "for" => {
                self.bump();
                self.expect("(")?;
                let var = self.ident()?;
                self.expect("=")?;
                let from = self.expr()?;
                self.expect(";")?;
                let v2 = self.ident()?;
                if v2.name != var.name {
                    return Err(Message::LoopTestsAnother {
                        span: v2.span,
                        var: var.name.clone(),
                    }
                    .into());
                }
                self.expect("<")?;
                let to = self.expr()?;
                self.expect(";")?;
                let v3 = self.ident()?;
                if v3.name != var.name {
                    return Err(Message::LoopStepsAnother {
                        span: v3.span,
                        var: var.name.clone(),
                    }
                    .into());
                }
                self.expect("++")?;
                self.expect(")")?;
                let body = Box::new(self.stmt()?);
                Ok(Stmt::For(var, from, to, body))
            }
            "for_each_vma" => {
                self.bump();
                self.expect("(")?;
                let v = self.ident()?;
                self.expect(")")?;
                Ok(Stmt::ForEachVma(v, Box::new(self.stmt()?)))
            }
            "vma" => {
                self.bump();
                let n = self.name()?;
                self.expect("=")?;
                let kind = self.expr()?;
                let mut attrs = Vec::new();
                while !self.is(";") {
                    attrs.push(self.ident()?);
                }
                self.expect(";")?;
                Ok(Stmt::Vma(n, kind, attrs))
            }
            "folio" => {
                self.bump();
                let n = self.name()?;
                self.expect("=")?;
                let backend = self.primary()?;
                let start = self.primary()?;
                self.expect(";")?;
                Ok(Stmt::Folio(n, backend, start))
            }
            "thread" => {
                self.bump();
                let role = self.ident()?;
                let n = self.name()?;
                let process = self.process()?;
                Ok(Stmt::Thread(role, n, process, self.block()?))
            }
            "daemon" => {
                let t = self.bump();
                let n = self.name()?;
                let role = Ident {
                    name: "daemon".into(),
                    span: t.span,
                };
                let process = self.process()?;
                Ok(Stmt::Thread(role, n, process, self.block()?))
            }
            "reclaim" | "admission" => {
                let start = self.bump().span;
                let e = self.expr()?;
                let end = self.expect(";")?;
                Ok(if w == "reclaim" {
                    Stmt::Reclaim(e, start.to(end))
                } else {
                    Stmt::Admission(e, start.to(end))
                })
            }
            _ => {
                if matches!(self.peek_at(1), Tok::Punct("|=" | "&=")) {
                    let reg = self.ident()?;
                    if !matches!(reg.name.as_str(), "flags" | "fault") {
                        return Err(Message::UnknownRegister {
                            span: reg.span,
                            name: reg.name.clone(),
                        }
                        .into());
                    }
                    let set = self.bump().tok == Tok::Punct("|=");
                    if !set {
                        self.expect("~")?;
                    }
                    let flag = self.ident()?;
                    self.expect(";")?;
                    return Ok(Stmt::Flag { flag, set });
                }
                let e = self.expr()?;
                if !matches!(e, Expr::Call(..)) {
                    return Err(Message::ExpectedStatement { span: e.span() }.into());
                }
                self.expect(";")?;
                Ok(Stmt::Call(e))
            }
        }
    }

    /// Operators, loosest first (C precedence).
    fn expr(&mut self) -> R<Expr> {
        self.enter()?;
        let e = self.binary(0);
        self.depth -= 1;
        e
    }

    fn binary(&mut self, level: usize) -> R<Expr> {
        const LEVELS: &[&[&str]] = &[
            &["||"],
            &["&&"],
            &["|"],
            &["&"],
            &["==", "!="],
            &["<", "<=", ">", ">="],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            let Tok::Punct(p) = *self.peek() else {
                return Ok(lhs);
            };
            if !LEVELS[level].contains(&p) {
                return Ok(lhs);
            }
            self.bump();
            let rhs = self.binary(level + 1)?;
            lhs = Expr::Binary(p, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> R<Expr> {
        for op in ["!", "~", "-"] {
            if self.is(op) {
                let s = self.bump().span;
                self.enter()?;
                let e = self.unary();
                self.depth -= 1;
                let e = e?;
                let span = s.to(e.span());
                return Ok(Expr::Unary(op, Box::new(e), span));
            }
        }
        self.primary()
    }

    fn primary(&mut self) -> R<Expr> {
        match self.peek().clone() {
            Tok::Int(n) => Ok(Expr::Int(n, self.bump().span)),
            Tok::Punct("(") => {
                self.bump();
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Ident(_) => {
                let id = self.ident()?;
                if self.eat("(") {
                    let mut args = Vec::new();
                    if !self.is(")") {
                        loop {
                            args.push(self.expr()?);
                            if !self.eat(",") {
                                break;
                            }
                        }
                    }
                    let end = self.expect(")")?;
                    let span = id.span.to(end);
                    return Ok(Expr::Call(id, args, span));
                }
                if self.is("->") {
                    let mut chain = vec![id];
                    while self.eat("->") {
                        chain.push(self.ident()?);
                    }
                    return Ok(Expr::Arrow(chain));
                }
                let index = if self.eat("[") {
                    let e = self.expr()?;
                    self.expect("]")?;
                    Some(Box::new(e))
                } else {
                    None
                };
                let _ = self.prev_span();
                Ok(Expr::Name(Name { base: id, index }))
            }
            _ => Err(self.unexpected("an expression")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_function_a_design_and_a_scenario() {
        let f = parse(
            "knob k { a, b } = a \"help\";\n\
             void f(struct vm_area_struct *vma) { if (!lock_vma_under_rcu(vma)) goto out; out: return; }\n\
             design d extends up(k = b) { title \"t\"; bool p(x) { return x == 1; } }\n\
             scenario s { properties deadlock; vma F = private-file; thread fault t { f(F); return; }\n\
             expect d with k = a: deadlock, ~latency; }",
        )
        .expect("parses");
        assert_eq!(f.funcs[0].params[0].name, "vma");
        assert_eq!(f.designs[0].funcs[0].name.name, "p");
        assert_eq!(f.scenarios[0].expects[0].props.len(), 2);
    }

    #[test]
    fn errors_name_what_was_expected() {
        let e = parse("design d { title \"t\" }").unwrap_err();
        assert_eq!(e.message, "expected `;`, found `}`");
        let deep = format!("void f() {{ {} }}", "{".repeat(200));
        assert!(parse(&deep).is_err());
    }
}
