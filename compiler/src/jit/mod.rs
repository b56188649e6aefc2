//! Trigger matching: which flows an event fires. The plan's trigger index
//! narrows an event to the flows of its type; each of their filters runs as
//! native code (cranelift) over the event's slots, or in the reference
//! interpreter when the JIT does not cover it. `idflow serve`, `idflow run`
//! and `idflow replay` all match through [`Matcher`].

mod codegen;
pub mod extract;
pub mod slots;

use std::collections::BTreeMap;

pub use codegen::JitError;
use extract::{ExtractError, PathTree, Slot};
use slots::SlotTable;

use crate::plan::eval::{self, Env};
use crate::plan::ir::{FunctionPlan, LocalId, PExpr, Plan, Schema, Trigger, TriggerIndex};
use crate::plan::typed;
use crate::plan::value::Value;

/// How filters run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Compiled to native code where the JIT covers them.
    Jit,
    /// Always in the reference interpreter.
    Interpreter,
}

/// How one flow's filter runs.
enum FilterCode {
    /// No filter: every event of the flow's type fires it.
    None,
    /// Native code, by position in the compiled list.
    Compiled(usize),
    /// The interpreter, over the event bound to its local, its instants
    /// read as times by the payload's declared type.
    Interpreted {
        condition: PExpr,
        event: Option<LocalId>,
        payload: Option<Schema>,
    },
}

/// Matches events against a plan's triggers and filters. It keeps its own
/// copy of what it needs of the plan (the trigger index and the functions
/// filters call), so a service can hold it next to the plan it came from.
pub struct Matcher {
    index: TriggerIndex,
    functions: Vec<FunctionPlan>,
    table: SlotTable,
    tree: PathTree,
    filters: Vec<FilterCode>,
    compiled: Vec<codegen::Compiled>,
    /// Keeps the native code alive as long as `compiled` is.
    _jit: Option<codegen::Jit>,
    configs: BTreeMap<String, Value>,
    /// The plan's named types, which payload schemas refer to.
    types: BTreeMap<String, Schema>,
    /// `now()` for the filters the interpreter runs, in milliseconds (set
    /// through a shared matcher as events arrive, hence atomic).
    now: std::sync::atomic::AtomicI64,
}

/// What matching one event found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched {
    /// The event's `eventType`, when it has one.
    pub event_type: Option<String>,
    /// The flows it fires, by index into the plan.
    pub flows: Vec<u32>,
    /// Whether any flow triggers on its type (before filters).
    pub typed: bool,
}

/// Whether a flow's filter is compiled by the JIT: `idflow plan` shows it.
pub fn compiles(plan_filter: &PExpr, event: Option<LocalId>) -> bool {
    slots::compilable(plan_filter, event)
}

/// The local a flow's event (or webhook) triggers bind, if any.
pub fn event_local(triggers: &[Trigger]) -> Option<LocalId> {
    event_binding(triggers).and_then(|(local, _)| local)
}

/// The first event (or webhook) trigger's binding and the type its payload
/// is declared with.
fn event_binding(triggers: &[Trigger]) -> Option<(Option<LocalId>, Option<&Schema>)> {
    triggers.iter().find_map(|t| match t {
        Trigger::Event {
            binding, payload, ..
        } => Some((*binding, payload.as_ref())),
        Trigger::Webhook { binding, body, .. } => Some((*binding, body.as_ref())),
        _ => None,
    })
}

impl Matcher {
    /// Prepares the matching of `plan`'s flows; `configs` are the values of
    /// the configs the runtime supplies, for filters that read them.
    pub fn new(
        plan: &Plan,
        mode: Mode,
        configs: BTreeMap<String, Value>,
    ) -> Result<Self, JitError> {
        let mut table = SlotTable::default();
        let mut to_compile: Vec<(&PExpr, LocalId)> = Vec::new();
        let mut filters = Vec::with_capacity(plan.flows.len());
        for flow in &plan.flows {
            let (event, payload) = event_binding(&flow.triggers).unwrap_or((None, None));
            let code = match &flow.filter {
                None => FilterCode::None,
                Some(filter)
                    if mode == Mode::Jit && slots::compilable(&filter.condition, event) =>
                {
                    slots::register(&filter.condition, event, &mut table);
                    to_compile.push((&filter.condition, event.unwrap_or(LocalId::MAX)));
                    FilterCode::Compiled(to_compile.len() - 1)
                }
                Some(filter) => FilterCode::Interpreted {
                    condition: filter.condition.clone(),
                    event,
                    payload: payload.cloned(),
                },
            };
            filters.push(code);
        }
        let (jit, compiled) = if to_compile.is_empty() {
            (None, Vec::new())
        } else {
            let (jit, compiled) = codegen::compile(&to_compile, &table)?;
            (Some(jit), compiled)
        };
        let tree = PathTree::new(&table);
        Ok(Matcher {
            index: plan.index.clone(),
            functions: plan.functions.clone(),
            table,
            tree,
            filters,
            compiled,
            _jit: jit,
            configs,
            types: plan.types.iter().cloned().collect(),
            now: std::sync::atomic::AtomicI64::new(0),
        })
    }

    /// Sets the instant `now()` means in filters, in milliseconds since the
    /// epoch: the runtime sets it as each event arrives. (The compiled
    /// filters never read the clock: a filter that calls `now()` runs in the
    /// interpreter.)
    pub fn set_now(&self, now: i64) {
        self.now.store(now, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many filters run as native code.
    pub fn compiled_filters(&self) -> usize {
        self.compiled.len()
    }

    /// How many slots an event fills.
    pub fn slot_count(&self) -> usize {
        self.table.len()
    }

    /// The flows (by index into the plan) an event fires, from its bytes.
    /// Only the fields the compiled filters read are extracted, unless some
    /// filter of the event's type runs in the interpreter, which needs the
    /// whole event.
    pub fn match_bytes(
        &self,
        connector: &str,
        bytes: &[u8],
        slots: &mut Vec<Slot>,
    ) -> Result<Vec<u32>, ExtractError> {
        Ok(self.match_event(connector, bytes, slots)?.flows)
    }

    /// What one event, from its bytes, fires — with its type, and whether
    /// any flow triggers on that type at all (`idflow replay` counts both).
    pub fn match_event(
        &self,
        connector: &str,
        bytes: &[u8],
        slots: &mut Vec<Slot>,
    ) -> Result<Matched, ExtractError> {
        slots.resize(self.table.len(), Slot::default());
        let event_type = extract::from_bytes(&self.tree, &self.table, bytes, slots)?;
        let candidates = self
            .index
            .flows_for(connector, event_type.as_deref().unwrap_or_default());
        let needs_value = candidates.iter().any(|f| {
            matches!(
                self.filters.get(*f as usize),
                Some(FilterCode::Interpreted { .. })
            )
        });
        let event = if needs_value {
            Some(Value::from_json(&serde_json::from_slice::<
                serde_json::Value,
            >(bytes)?))
        } else {
            None
        };
        Ok(Matched {
            flows: self.fire(candidates, slots, event.as_ref()),
            typed: !candidates.is_empty(),
            event_type,
        })
    }

    /// Whether some filter runs in the interpreter: only those can read
    /// `now()`, which callers then set for each event.
    pub fn interprets_filters(&self) -> bool {
        self.filters
            .iter()
            .any(|f| matches!(f, FilterCode::Interpreted { .. }))
    }

    /// The flows an event fires, from the event already parsed.
    pub fn match_value(
        &self,
        connector: &str,
        event: &serde_json::Value,
        slots: &mut Vec<Slot>,
    ) -> Vec<u32> {
        slots.resize(self.table.len(), Slot::default());
        extract::from_value(&self.tree, &self.table, event, slots);
        let event_type = event
            .get("eventType")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let candidates = self.index.flows_for(connector, event_type);
        let value = Value::from_json(event);
        self.fire(candidates, slots, Some(&value))
    }

    /// The flows an event fires, from slots already filled (by
    /// [`Matcher::extract_value`]) and its type; `event` is needed only by
    /// filters the interpreter runs.
    pub fn match_extracted(
        &self,
        connector: &str,
        event_type: &str,
        slots: &[Slot],
        event: Option<&Value>,
    ) -> Vec<u32> {
        let candidates = self.index.flows_for(connector, event_type);
        self.fire(candidates, slots, event)
    }

    /// Runs the filters of `candidates`; the ones that pass.
    fn fire(&self, candidates: &[u32], slots: &[Slot], event: Option<&Value>) -> Vec<u32> {
        // One copy of the event serves every interpreted filter: it is moved
        // into each one's environment and back out, typed once (the flows
        // of one event type share its payload's type).
        let mut owned: Option<Value> = None;
        let mut typed_as: Option<&Schema> = None;
        candidates
            .iter()
            .copied()
            .filter(|flow| match self.filters.get(*flow as usize) {
                Some(FilterCode::Interpreted {
                    condition,
                    event: local,
                    payload,
                }) => {
                    let mut value = owned
                        .take()
                        .or_else(|| event.cloned())
                        .unwrap_or(Value::Null);
                    if payload.is_some() && payload.as_ref() != typed_as {
                        value = self.typed(value, payload.as_ref());
                        typed_as = payload.as_ref();
                    }
                    let (passes, value) = self.interpret(condition, *local, value);
                    owned = Some(value);
                    passes
                }
                _ => self.passes(*flow as usize, slots, event),
            })
            .collect()
    }

    /// An event with the times and durations its payload's type declares
    /// (the interpreter compares times; the JIT never does).
    fn typed(&self, event: Value, payload: Option<&Schema>) -> Value {
        match payload {
            Some(schema) => typed::typed(event, schema, &self.types),
            None => event,
        }
    }

    /// Runs an interpreted filter with the event bound; gives the event back.
    fn interpret(&self, condition: &PExpr, local: Option<LocalId>, event: Value) -> (bool, Value) {
        let mut env = Env::new(
            &self.functions,
            &self.configs,
            self.now.load(std::sync::atomic::Ordering::Relaxed),
        );
        let Some(local) = local else {
            return (eval::holds_in(condition, &mut env).unwrap_or(false), event);
        };
        env.set(local, event);
        let passes = eval::holds_in(condition, &mut env).unwrap_or(false);
        (passes, env.take(local))
    }

    /// Whether one flow's filter passes; a filter that fails to evaluate
    /// does not pass.
    pub fn passes(&self, flow: usize, slots: &[Slot], event: Option<&Value>) -> bool {
        match self.filters.get(flow) {
            None | Some(FilterCode::None) => true,
            Some(FilterCode::Compiled(i)) => self.compiled.get(*i).is_some_and(|f| f.call(slots)),
            Some(FilterCode::Interpreted {
                condition,
                event: local,
                payload,
            }) => {
                let value = self.typed(event.cloned().unwrap_or(Value::Null), payload.as_ref());
                self.interpret(condition, *local, value).0
            }
        }
    }

    /// Fills slots from an already-parsed event (for benchmarks and tests).
    pub fn extract_value(&self, event: &serde_json::Value, slots: &mut Vec<Slot>) {
        slots.resize(self.table.len(), Slot::default());
        extract::from_value(&self.tree, &self.table, event, slots);
    }
}

#[cfg(test)]
mod tests {
    /// The service shares one matcher between its tasks.
    #[test]
    fn a_matcher_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<super::Matcher>();
    }
}
