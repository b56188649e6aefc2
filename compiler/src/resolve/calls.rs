//! Which flow calls which, and the cycles: a flow that calls itself, directly
//! or through others, might run forever.

use std::collections::{BTreeMap, BTreeSet};

use super::error::ResolveError;
use crate::source::Span;

/// The calls between flows, each with the span of its `call`.
#[derive(Default)]
pub(super) struct CallGraph<'p> {
    edges: BTreeMap<&'p str, Vec<(&'p str, Span)>>,
}

impl<'p> CallGraph<'p> {
    pub(super) fn add(&mut self, caller: &'p str, callee: &'p str, span: Span) {
        self.edges.entry(caller).or_default().push((callee, span));
    }

    /// One error per cycle, at the call that closes it.
    pub(super) fn cycles(&self) -> Vec<ResolveError> {
        let mut errors = Vec::new();
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        let mut finished: BTreeSet<&str> = BTreeSet::new();
        for start in self.edges.keys() {
            let mut stack = vec![*start];
            self.visit(start, &mut stack, &mut finished, &mut reported, &mut errors);
        }
        errors
    }

    fn visit(
        &self,
        flow: &'p str,
        stack: &mut Vec<&'p str>,
        finished: &mut BTreeSet<&'p str>,
        reported: &mut BTreeSet<Vec<&'p str>>,
        errors: &mut Vec<ResolveError>,
    ) {
        if finished.contains(flow) {
            return;
        }
        for (callee, span) in self.edges.get(flow).map(Vec::as_slice).unwrap_or_default() {
            if let Some(at) = stack.iter().position(|f| f == callee) {
                let cycle: Vec<&str> = stack.get(at..).unwrap_or_default().to_vec();
                let mut key = cycle.clone();
                key.sort_unstable();
                if reported.insert(key) {
                    let mut path = cycle.clone();
                    path.push(callee);
                    errors.push(ResolveError::CallCycle {
                        name: (*callee).to_owned(),
                        path: path.join(" → "),
                        span: *span,
                    });
                }
                continue;
            }
            stack.push(callee);
            self.visit(callee, stack, finished, reported, errors);
            stack.pop();
        }
        finished.insert(flow);
    }
}
