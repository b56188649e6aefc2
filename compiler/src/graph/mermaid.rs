//! A diagram as a Mermaid flowchart: GitHub, GitLab and most wikis draw it.

use std::fmt::Write as _;

use super::{EdgeKind, Graph, NodeKind, card_lines};
use crate::plan::render::mermaid_text;

/// The flowchart of `graph`.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    write_groups(graph, None, 1, &mut out);
    for (index, edge) in graph.edges.iter().enumerate() {
        let arrow = match edge.kind {
            EdgeKind::Next => "-->",
            EdgeKind::Repeat | EdgeKind::Error => "-.->",
        };
        let label = edge
            .label
            .as_deref()
            .map(|l| format!("|\"{}\"|", mermaid_text(&card_lines(l).join(" "))))
            .unwrap_or_default();
        let _ = writeln!(out, "  {} {arrow}{label} {}", edge.from, edge.to);
        if edge.kind == EdgeKind::Error {
            let _ = writeln!(out, "  linkStyle {index} stroke:#c53030,color:#c53030");
        }
    }
    for (class, style) in CLASSES {
        let _ = writeln!(out, "  classDef {class} {style}");
    }
    out
}

/// The nodes and boxes inside `parent` (the top level when `None`).
fn write_groups(graph: &Graph, parent: Option<usize>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for node in graph.nodes.iter().filter(|n| n.group == parent) {
        let label = mermaid_text(&card_lines(&node.label).join("<br/>"));
        let (open, close) = shape(node.kind);
        let _ = writeln!(
            out,
            "{indent}{}{open}\"{label}\"{close}:::{}",
            node.id,
            class(node.kind)
        );
    }
    for (index, group) in graph.groups.iter().enumerate() {
        if group.parent != parent {
            continue;
        }
        let title = mermaid_text(&card_lines(&group.label).join(" "));
        let _ = writeln!(out, "{indent}subgraph {} [\"{title}\"]", group.id);
        write_groups(graph, Some(index), depth + 1, out);
        let _ = writeln!(out, "{indent}end");
    }
}

/// Mermaid's brackets for each kind of card.
fn shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Trigger => ("([", "])"),
        NodeKind::Filter => ("{{", "}}"),
        NodeKind::Decision => ("{", "}"),
        NodeKind::Loop => ("[[", "]]"),
        NodeKind::Wait => ("[/", "/]"),
        NodeKind::End | NodeKind::Done => ("((", "))"),
        NodeKind::Error => ("[\\", "\\]"),
        NodeKind::Parallel => ("[", "]"),
        NodeKind::Read
        | NodeKind::Write
        | NodeKind::Destructive
        | NodeKind::Compute
        | NodeKind::Call => ("[", "]"),
    }
}

/// The class, and so the colour, of each kind of card.
pub(super) fn class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Trigger => "trigger",
        NodeKind::Filter | NodeKind::Decision => "decision",
        NodeKind::Read => "read",
        NodeKind::Write | NodeKind::Call => "write",
        NodeKind::Destructive => "destructive",
        NodeKind::Compute | NodeKind::Parallel | NodeKind::Loop => "step",
        NodeKind::Wait => "wait",
        NodeKind::End | NodeKind::Done => "finish",
        NodeKind::Error => "error",
    }
}

const CLASSES: [(&str, &str); 9] = [
    ("trigger", "fill:#e6f4ea,stroke:#2f855a,color:#1a202c"),
    ("decision", "fill:#fefcbf,stroke:#b7791f,color:#1a202c"),
    ("read", "fill:#ebf4ff,stroke:#2b6cb0,color:#1a202c"),
    ("write", "fill:#fffaf0,stroke:#c05621,color:#1a202c"),
    (
        "destructive",
        "fill:#fff5f5,stroke:#c53030,stroke-width:2px,color:#1a202c",
    ),
    ("step", "fill:#f7fafc,stroke:#718096,color:#1a202c"),
    ("wait", "fill:#faf5ff,stroke:#6b46c1,color:#1a202c"),
    ("finish", "fill:#edf2f7,stroke:#4a5568,color:#1a202c"),
    (
        "error",
        "fill:#fff5f5,stroke:#c53030,stroke-dasharray:4,color:#1a202c",
    ),
];
