//! A flow's plan as a diagram of its control flow, in the style of the
//! visual workflow editors: a card per step, from the trigger down, a
//! diamond per decision with a labelled arrow per arm, loops and parallel
//! groups as boxes around their steps, waits, stops, and error paths as
//! dashed arrows to their handlers. Renderers (Mermaid, DOT, SVG) only draw
//! this model.

use crate::plan::ir::{Effect, FlowPlan, Handler, StepId, StepKind, Trigger};
use crate::plan::render;

/// What a node stands for; it decides its shape and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// What starts the flow: an event, a schedule, a webhook, a call.
    Trigger,
    /// The trigger filter: events it rejects start no run.
    Filter,
    /// An action that only reads.
    Read,
    /// An action that writes.
    Write,
    /// An action that removes access or data.
    Destructive,
    /// A computed value (`let`).
    Compute,
    /// An `if`: a decision.
    Decision,
    /// A `for` loop's head.
    Loop,
    /// The start of a `parallel` group.
    Parallel,
    /// A durable wait.
    Wait,
    /// A `call` of another flow.
    Call,
    /// `stop` or `return`: the run ends here.
    End,
    /// Where a run that went through without stopping ends.
    Done,
    /// The entry of an error handler.
    Error,
}

/// A node of the diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its identifier: `trigger`, `filter`, `s4`, `done`, `s4_error`.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// Its text, as the language writes it.
    pub label: String,
    /// The innermost group it is drawn in, by index into [`Graph::groups`].
    pub group: Option<usize>,
}

/// What an arrow means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Control goes on.
    Next,
    /// Back to a loop's head for the next element.
    Repeat,
    /// A failure goes to its handler.
    Error,
}

/// An arrow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The node it leaves.
    pub from: String,
    /// The node it reaches.
    pub to: String,
    /// What it means.
    pub kind: EdgeKind,
    /// Its text: an arm's condition, `else`, `each`, `on error`.
    pub label: Option<String>,
}

/// A box drawn around steps: a loop's body, a parallel group, a handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub label: String,
    /// The group it is drawn in.
    pub parent: Option<usize>,
}

/// A flow's diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    /// The flow's name.
    pub name: String,
    /// Its nodes, from the trigger down, in source order.
    pub nodes: Vec<Node>,
    /// Its arrows.
    pub edges: Vec<Edge>,
    /// Its boxes.
    pub groups: Vec<Group>,
}

/// Where control may leave a block from: a node, and the label of the
/// arrow that will leave it.
type Exits = Vec<(String, Option<String>)>;

/// The diagram of a flow's plan.
pub fn graph(flow: &FlowPlan) -> Graph {
    let mut builder = Builder {
        flow,
        graph: Graph {
            name: flow.name.clone(),
            ..Graph::default()
        },
    };
    builder.build();
    builder.graph
}

struct Builder<'f> {
    flow: &'f FlowPlan,
    graph: Graph,
}

impl Builder<'_> {
    fn build(&mut self) {
        let flow = self.flow;
        let triggers: Vec<String> = flow
            .triggers
            .iter()
            .map(|t| trigger_label(flow, t))
            .collect();
        self.node("trigger", NodeKind::Trigger, triggers.join("\nor "), None);
        let mut exits: Exits = vec![("trigger".to_owned(), None)];
        if let Some(filter) = &flow.filter {
            let condition = render::expr(flow, &filter.condition);
            self.node(
                "filter",
                NodeKind::Filter,
                format!("where {condition}"),
                None,
            );
            self.connect(&exits, "filter", EdgeKind::Next);
            exits = vec![("filter".to_owned(), Some("yes".to_owned()))];
        }
        let exits = self.block(&flow.body, exits, None);
        if !exits.is_empty() {
            self.node("done", NodeKind::Done, "done".to_owned(), None);
            self.connect(&exits, "done", EdgeKind::Next);
        }
        if let Some(handler) = &flow.on_error {
            self.handler("flow", handler, "trigger", "any step fails", None);
        }
    }

    fn node(&mut self, id: &str, kind: NodeKind, label: String, group: Option<usize>) {
        self.graph.nodes.push(Node {
            id: id.to_owned(),
            kind,
            label,
            group,
        });
    }

    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: Option<String>) {
        self.graph.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind,
            label,
        });
    }

    fn connect(&mut self, exits: &Exits, to: &str, kind: EdgeKind) {
        for (from, label) in exits {
            self.edge(from, to, kind, label.clone());
        }
    }

    fn group(&mut self, id: String, label: String, parent: Option<usize>) -> usize {
        self.graph.groups.push(Group { id, label, parent });
        self.graph.groups.len() - 1
    }

    /// Draws `ids` in sequence from `entries`; where control leaves them.
    fn block(&mut self, ids: &[StepId], entries: Exits, group: Option<usize>) -> Exits {
        let mut exits = entries;
        for id in ids {
            if exits.is_empty() {
                // After a stop: nothing in this block runs.
                break;
            }
            exits = self.step(*id, &exits, group);
        }
        exits
    }

    fn step(&mut self, id: StepId, entries: &Exits, group: Option<usize>) -> Exits {
        let flow = self.flow;
        let Some(step) = flow.steps.get(id as usize) else {
            return entries.clone();
        };
        let node = format!("s{id}");
        let own = |kind: NodeKind, label: String, builder: &mut Self| {
            builder.node(&node, kind, label, group);
            builder.connect(entries, &node, EdgeKind::Next);
        };
        match &step.kind {
            StepKind::Action {
                effect, on_error, ..
            } => {
                let kind = match effect {
                    Effect::Read => NodeKind::Read,
                    Effect::Write => NodeKind::Write,
                    Effect::Destructive => NodeKind::Destructive,
                };
                own(kind, action_label(flow, id), self);
                self.after_call(&node, on_error.as_ref(), group)
            }
            StepKind::Call { on_error, .. } => {
                own(NodeKind::Call, render::headline(flow, step), self);
                self.after_call(&node, on_error.as_ref(), group)
            }
            StepKind::Spawn { .. } => {
                own(NodeKind::Call, render::headline(flow, step), self);
                vec![(node, None)]
            }
            StepKind::Compute { .. } => {
                own(NodeKind::Compute, render::headline(flow, step), self);
                vec![(node, None)]
            }
            StepKind::Wait { .. } | StepKind::WaitUntil { .. } | StepKind::WaitFor { .. } => {
                own(NodeKind::Wait, render::headline(flow, step), self);
                vec![(node, None)]
            }
            StepKind::Stop { reason } => {
                let label = reason
                    .as_ref()
                    .map_or_else(|| "stop".to_owned(), |r| format!("stop: {r}"));
                own(NodeKind::End, label, self);
                Vec::new()
            }
            StepKind::Return { .. } => {
                own(NodeKind::End, render::headline(flow, step), self);
                Vec::new()
            }
            StepKind::Branch { arms, otherwise } => {
                own(NodeKind::Decision, "if".to_owned(), self);
                let mut exits = Exits::new();
                for arm in arms {
                    let condition = render::expr(flow, &arm.condition);
                    let entry = vec![(node.clone(), Some(condition))];
                    exits.extend(self.block(&arm.body, entry, group));
                }
                let otherwise_entry = vec![(node.clone(), Some("else".to_owned()))];
                exits.extend(self.block(otherwise, otherwise_entry, group));
                exits
            }
            StepKind::Loop { body, .. } => {
                let label = render::headline(flow, step);
                let inner = self.group(format!("{node}_body"), label.clone(), group);
                own(NodeKind::Loop, label, self);
                let each = vec![(node.clone(), Some("each".to_owned()))];
                let ends = self.block(body, each, Some(inner));
                self.connect(&ends, &node, EdgeKind::Repeat);
                vec![(node, Some("done".to_owned()))]
            }
            StepKind::Parallel { body } => {
                let inner = self.group(format!("{node}_body"), "parallel".to_owned(), group);
                own(NodeKind::Parallel, "parallel".to_owned(), self);
                // The writes of a parallel group may run at once: each
                // starts from the group's head.
                let mut exits = Exits::new();
                for id in body {
                    exits.extend(self.step(*id, &vec![(node.clone(), None)], Some(inner)));
                }
                exits
            }
        }
    }

    /// After an action or a call: control goes on, and its handler, if
    /// any, is drawn from it and goes on after it too.
    fn after_call(&mut self, node: &str, handler: Option<&Handler>, group: Option<usize>) -> Exits {
        let mut exits = vec![(node.to_owned(), None)];
        if let Some(handler) = handler {
            exits.extend(self.handler(node, handler, node, "on error", group));
        }
        exits
    }

    /// Draws an error handler in its own box, reached by a dashed arrow
    /// from `from`.
    fn handler(
        &mut self,
        id: &str,
        handler: &Handler,
        from: &str,
        label: &str,
        group: Option<usize>,
    ) -> Exits {
        let inner = self.group(format!("{id}_error_body"), label.to_owned(), group);
        let entry = format!("{id}_error");
        let binding = handler
            .binding
            .and_then(|b| self.flow.locals.get(b as usize))
            .map_or_else(|| "on error".to_owned(), |name| format!("on error({name})"));
        self.node(&entry, NodeKind::Error, binding, Some(inner));
        self.edge(from, &entry, EdgeKind::Error, Some(label.to_owned()));
        self.block(&handler.body, vec![(entry, None)], Some(inner))
    }
}

/// An action's card: what it does, without the effect word the colour shows.
fn action_label(flow: &FlowPlan, id: StepId) -> String {
    let Some(step) = flow.steps.get(id as usize) else {
        return String::new();
    };
    let text = render::headline(flow, step);
    text.split_once(' ')
        .map_or(text.clone(), |(_, rest)| rest.to_owned())
}

fn trigger_label(flow: &FlowPlan, trigger: &Trigger) -> String {
    format!("when {}", render::trigger_text(flow, trigger))
}
