//! Parsed queries, kept per process. A mini-program sends the same few dozen query texts all day, and parsing one
//! took 6–8% of the server's CPU per request (bench/RESULTS.md). Only parsing is skipped: every request is still
//! validated against the schema with its own variables, and limited in depth and complexity.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::parser::types::ExecutableDocument;

/// How many distinct query texts are kept; when full, the cache starts over (a client sending endless distinct
/// queries gains nothing and costs a bounded amount of memory).
const CAPACITY: usize = 512;
/// Longer query texts are parsed every time and not kept.
const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The process's parsed query texts.
#[derive(Default)]
pub struct ParsedQueries(Mutex<HashMap<String, Arc<ExecutableDocument>>>);

impl ParsedQueries {
    /// Gives `req` its parsed document, from the cache or parsed now and kept. A query that does not parse is left
    /// to the schema, which refuses it with its usual error.
    pub fn attach(&self, req: &mut async_graphql::Request) {
        if req.query.len() > MAX_QUERY_BYTES {
            return;
        }
        let cached = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&req.query).cloned();
        let doc = match cached {
            Some(doc) => doc,
            None => {
                let Ok(doc) = async_graphql::parser::parse_query(&req.query) else { return };
                let doc = Arc::new(doc);
                let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
                if map.len() >= CAPACITY {
                    map.clear();
                }
                map.insert(req.query.clone(), doc.clone());
                doc
            }
        };
        req.set_parsed_query((*doc).clone());
    }

    /// How many query texts are kept.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_query_once_and_leaves_bad_ones_to_the_schema() {
        let cache = ParsedQueries::default();
        for _ in 0..3 {
            let mut req = async_graphql::Request::new("{ me { id } }");
            cache.attach(&mut req);
            assert!(req.parsed_query().is_ok());
        }
        assert_eq!(cache.len(), 1);
        let mut bad = async_graphql::Request::new("{ me { id ");
        cache.attach(&mut bad);
        assert_eq!(cache.len(), 1);
        assert!(bad.parsed_query().is_err(), "a query that does not parse still fails");
    }

    #[test]
    fn is_bounded() {
        let cache = ParsedQueries::default();
        for i in 0..CAPACITY + 10 {
            cache.attach(&mut async_graphql::Request::new(format!("{{ f{i} }}")));
        }
        assert!(cache.len() <= CAPACITY);
    }
}
