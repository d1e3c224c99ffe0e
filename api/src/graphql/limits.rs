//! Document limits checked before a document is validated or run: how many times one field may be asked for under
//! different aliases in one selection, how many fields a document may select once its fragments are expanded, and
//! (in `http.rs`) how many operations a batch may hold. async-graphql's own depth, complexity, recursion and
//! directive limits stay in force after these; each refusal has its own code (`error.rs`, [`Limit`]).
//!
//! Why these: a client that sends 101 aliases of `login`, 500 copies of a field or 100 aliased `me` queries in one
//! document is attacking or broken; a real client (the mini-program's largest page selects about 60 fields) never
//! comes near them. The walk stops as soon as a limit is passed, so a document built to explode through nested
//! fragment spreads costs at most `max_fields` steps.
use std::collections::HashMap;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet};

use crate::error::Limit;

/// The limits (from `Config`).
#[derive(Clone, Copy, Debug)]
pub struct DocLimits {
    /// Response keys one field name may have in one selection (`LINLI_MAX_ALIASES`, default 10).
    pub max_aliases: usize,
    /// Fields in the operation once fragments are expanded, `__typename` included (`LINLI_MAX_FIELDS`, 200).
    pub max_fields: usize,
}

impl Default for DocLimits {
    fn default() -> Self {
        Self { max_aliases: 10, max_fields: 200 }
    }
}

/// What the walk learnt about the operation that will run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Fields selected, fragments expanded.
    pub fields: usize,
    /// Whether it is a mutation.
    pub mutation: bool,
    /// The root fields of a mutation, by name (each is one write, and counts one against the rate limits).
    pub roots: Vec<String>,
}

/// Checks the operation `operation_name` picks (every operation when there is no name and several: the engine
/// will refuse that document anyway, and it must not get through the limits first).
pub fn check(doc: &ExecutableDocument, operation_name: Option<&str>, l: DocLimits) -> Result<Shape, Limit> {
    let ops: Vec<_> = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => vec![&op.node],
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| vec![&op.node]).unwrap_or_default(),
        (DocumentOperations::Multiple(ops), None) => ops.values().map(|op| &op.node).collect(),
    };
    let mut w = Walk { doc, l, fields: 0, stack: Vec::new() };
    let mut shape = Shape::default();
    for op in ops {
        w.set(&op.selection_set.node)?;
        if op.ty == OperationType::Mutation {
            shape.mutation = true;
            roots(doc, &op.selection_set.node, &mut Vec::new(), &mut shape.roots);
        }
    }
    shape.fields = w.fields;
    Ok(shape)
}

/// The names of the fields a selection selects at its own level, fragments flattened.
fn roots<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, stack: &mut Vec<&'a str>, out: &mut Vec<String>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => out.push(f.node.name.node.to_string()),
            Selection::InlineFragment(i) => roots(doc, &i.node.selection_set.node, stack, out),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                if let (false, Some(frag)) = (stack.contains(&name), doc.fragments.get(&s.node.fragment_name.node)) {
                    stack.push(name);
                    roots(doc, &frag.node.selection_set.node, stack, out);
                    stack.pop();
                }
            }
        }
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    l: DocLimits,
    fields: usize,
    /// The fragments being expanded (a cycle is left to validation, which refuses it).
    stack: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    /// Walks one selection set (its fragments flattened into it).
    fn set(&mut self, set: &'a SelectionSet) -> Result<(), Limit> {
        let mut keys: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
        self.flat(set, &mut keys)
    }

    fn flat(&mut self, set: &'a SelectionSet, keys: &mut HashMap<&'a str, Vec<&'a str>>) -> Result<(), Limit> {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    self.fields += 1;
                    if self.fields > self.l.max_fields {
                        return Err(Limit::Fields { max: self.l.max_fields });
                    }
                    let name = f.name.node.as_str();
                    let key = f.response_key().node.as_str();
                    let seen = keys.entry(name).or_default();
                    if !seen.contains(&key) {
                        seen.push(key);
                        if seen.len() > self.l.max_aliases {
                            return Err(Limit::Aliases { field: name.to_owned(), max: self.l.max_aliases });
                        }
                    }
                    if !f.selection_set.node.items.is_empty() {
                        self.set(&f.selection_set.node)?;
                    }
                }
                Selection::InlineFragment(i) => self.flat(&i.node.selection_set.node, keys)?,
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    if self.stack.contains(&name) {
                        continue;
                    }
                    let Some(frag) = self.doc.fragments.get(&s.node.fragment_name.node) else { continue };
                    self.stack.push(name);
                    let r = self.flat(&frag.node.selection_set.node, keys);
                    self.stack.pop();
                    r?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(q: &str) -> Result<Shape, Limit> {
        check(&async_graphql::parser::parse_query(q).unwrap(), None, DocLimits::default())
    }

    #[test]
    fn counts_fields_through_fragments() {
        let s = run("query { me { id ...F ... on User { id } } } fragment F on User { nickname }").unwrap();
        assert_eq!(s.fields, 4);
        assert!(!s.mutation);
        let s = run("mutation { a: logout ...M } fragment M on MutationRoot { b: logout }").unwrap();
        assert_eq!((s.mutation, s.roots), (true, vec!["logout".to_owned(), "logout".to_owned()]));
    }

    #[test]
    fn aliases_of_one_field_are_limited_per_selection() {
        let ten: String = (0..10).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert!(run(&format!("{{ {ten} }}")).is_ok());
        let eleven: String = (0..11).map(|i| format!("a{i}: me {{ id }} ")).collect();
        assert_eq!(run(&format!("{{ {eleven} }}")), Err(Limit::Aliases { field: "me".into(), max: 10 }));
        // The same key repeated is one key (the engine merges them), but every copy is a field.
        let copies: String = (0..201).map(|_| "id ").collect();
        assert_eq!(run(&format!("{{ me {{ {copies} }} }}")), Err(Limit::Fields { max: 200 }));
        // Aliases hidden in fragments are counted in the selection they are spread into.
        let frag: String = (0..6).map(|i| format!("f{i}: me {{ id }} ")).collect();
        let q = format!("{{ ...A ...B }} fragment A on Query {{ {frag} }} fragment B on Query {{ {} }}", frag.replace('f', "g"));
        assert!(matches!(run(&q), Err(Limit::Aliases { .. })));
    }

    #[test]
    fn exploding_fragments_stop_at_the_limit_and_cycles_end() {
        let mut q = String::from("{ ...F0 } fragment F0 on Query { me { id } }");
        for i in 1..30 {
            q.push_str(&format!(" fragment F{i} on Query {{ ...F{p} ...F{p} }}", p = i - 1));
        }
        q = q.replacen("{ ...F0 }", "{ ...F29 }", 1);
        assert_eq!(run(&q), Err(Limit::Fields { max: 200 }));
        assert!(run("{ ...A } fragment A on Query { me { id } ...A }").is_ok());
    }
}
