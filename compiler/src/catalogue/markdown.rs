//! The catalogue as Markdown, for a repository's wiki or a review: a
//! section per flow, its diagram as a Mermaid block (which GitHub and
//! GitLab draw) and a link to its SVG.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::FlowEntry;

/// The catalogue page. `mermaid` holds each flow's diagram, by flow name;
/// its SVG is linked as `diagrams/NAME.svg`.
pub fn render(title: &str, flows: &[FlowEntry], mermaid: &BTreeMap<String, String>) -> String {
    let mut out = format!("# {title}\n\n");
    let _ = writeln!(out, "{} flow(s). {}\n", flows.len(), super::INTRO);
    out.push_str("| flow | starts | destructive actions | tests |\n| --- | --- | --- | --- |\n");
    for flow in flows {
        let destructive: Vec<String> = flow
            .destructive()
            .iter()
            .map(|name| format!("`{name}`"))
            .collect();
        let _ = writeln!(
            out,
            "| [`{name}`](#{name}) | {} | {} | {} |",
            cell(flow.triggers.join(" ")),
            if destructive.is_empty() {
                "none".to_owned()
            } else {
                destructive.join(", ")
            },
            flow.tests.len(),
            name = flow.name,
        );
    }
    for flow in flows {
        section(&mut out, flow, mermaid.get(&flow.name));
    }
    out
}

fn section(out: &mut String, flow: &FlowEntry, mermaid: Option<&String>) {
    let _ = writeln!(out, "\n## {}\n", flow.name);
    if let Some(purpose) = &flow.purpose {
        let _ = writeln!(out, "{}\n", purpose.replace('\n', " "));
    }
    let _ = writeln!(out, "- **Version**: `{}`", flow.version);
    let _ = writeln!(out, "- **Source**: `{}`", flow.file);
    for trigger in &flow.triggers {
        let _ = writeln!(out, "- **Starts**: {trigger}");
    }
    match &flow.filter {
        Some(filter) => {
            let _ = writeln!(
                out,
                "- **Only when**: `{filter}`; other events start no run."
            );
        }
        None => out.push_str("- **Only when**: always (no filter).\n"),
    }
    out.push_str("\n### Actions\n\n");
    if flow.actions.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| action | effect | what it does |\n| --- | --- | --- |\n");
        for action in &flow.actions {
            let effect = if action.effect == "destructive" {
                "**destructive**"
            } else {
                action.effect
            };
            let _ = writeln!(
                out,
                "| `{}` | {effect} | {} |",
                action.name,
                cell(action.doc.clone().unwrap_or_default())
            );
        }
    }
    out.push_str("\n### Configuration\n\n");
    if flow.configs.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str(
            "| config | default | by environment | meaning |\n| --- | --- | --- | --- |\n",
        );
        for config in &flow.configs {
            let values: Vec<String> = config
                .by_environment()
                .iter()
                .map(|(env, value)| format!("{env}: `{}`", cell((*value).to_owned())))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                config.name,
                config.default.as_ref().map_or_else(
                    || "(required)".to_owned(),
                    |d| format!("`{}`", cell(d.clone()))
                ),
                if values.is_empty() {
                    "—".to_owned()
                } else {
                    values.join("<br>")
                },
                cell(config.doc.clone().unwrap_or_default())
            );
        }
    }
    out.push_str("\n### Diagram\n\n");
    if let Some(mermaid) = mermaid {
        let _ = writeln!(out, "```mermaid\n{}```\n", mermaid);
    }
    let _ = writeln!(out, "[SVG](diagrams/{}.svg)", flow.name);
    out.push_str("\n### Tests\n\n");
    if flow.tests.is_empty() {
        out.push_str("No test fires this flow.\n");
    }
    for (name, passed) in &flow.tests {
        let _ = writeln!(
            out,
            "- {} {name}",
            if *passed { "passes:" } else { "**FAILS**:" }
        );
    }
}

/// Text inside a table cell: one line, pipes escaped.
fn cell(text: String) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}
