//! A diagram in Graphviz's DOT language: `dot -Tpng` and every tool that
//! reads DOT draw it.

use std::fmt::Write as _;

use super::{EdgeKind, Graph, NodeKind, card_lines};

/// The DOT graph of `graph`.
pub fn render(graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", quoted(&graph.name));
    out.push_str("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, labelloc=t];\n");
    out.push_str(
        "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    write_groups(graph, None, 1, &mut out);
    for edge in &graph.edges {
        let mut attributes = Vec::new();
        if let Some(label) = &edge.label {
            attributes.push(format!(
                "label=\"{}\"",
                quoted(&card_lines(label).join("\n"))
            ));
        }
        match edge.kind {
            EdgeKind::Next => {}
            EdgeKind::Repeat => attributes.push("style=dashed".to_owned()),
            EdgeKind::Error => {
                attributes
                    .push("style=dashed, color=\"#c53030\", fontcolor=\"#c53030\"".to_owned());
            }
        }
        let attributes = if attributes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attributes.join(", "))
        };
        let _ = writeln!(out, "  {} -> {}{attributes};", edge.from, edge.to);
    }
    out.push_str("}\n");
    out
}

fn write_groups(graph: &Graph, parent: Option<usize>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for node in graph.nodes.iter().filter(|n| n.group == parent) {
        let (shape, fill, line) = look(node.kind);
        let _ = writeln!(
            out,
            "{indent}{} [label=\"{}\", shape={shape}, fillcolor=\"{fill}\", color=\"{line}\"];",
            node.id,
            quoted(&card_lines(&node.label).join("\n")),
        );
    }
    for (index, group) in graph.groups.iter().enumerate() {
        if group.parent != parent {
            continue;
        }
        let _ = writeln!(out, "{indent}subgraph cluster_{} {{", group.id);
        let _ = writeln!(
            out,
            "{indent}  label=\"{}\"; style=\"dashed,rounded\"; color=\"#a0aec0\";",
            quoted(&card_lines(&group.label).join(" "))
        );
        write_groups(graph, Some(index), depth + 1, out);
        let _ = writeln!(out, "{indent}}}");
    }
}

/// Shape, fill and line colour of each kind of card.
pub(super) fn look(kind: NodeKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        NodeKind::Trigger => ("box", "#e6f4ea", "#2f855a"),
        NodeKind::Filter | NodeKind::Decision => ("diamond", "#fefcbf", "#b7791f"),
        NodeKind::Read => ("box", "#ebf4ff", "#2b6cb0"),
        NodeKind::Write | NodeKind::Call => ("box", "#fffaf0", "#c05621"),
        NodeKind::Destructive => ("box", "#fff5f5", "#c53030"),
        NodeKind::Compute | NodeKind::Parallel => ("box", "#f7fafc", "#718096"),
        NodeKind::Loop => ("box3d", "#f7fafc", "#718096"),
        NodeKind::Wait => ("parallelogram", "#faf5ff", "#6b46c1"),
        NodeKind::End | NodeKind::Done => ("ellipse", "#edf2f7", "#4a5568"),
        NodeKind::Error => ("box", "#fff5f5", "#c53030"),
    }
}

/// Text inside a DOT string.
fn quoted(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
