//! The catalogue as one static HTML page: no script, no network, the
//! diagrams as the SVG files beside it — something an auditor can open
//! from a file share or attach to a report.

use std::fmt::Write as _;

use super::FlowEntry;
use crate::graph::svg::escape_markup;

/// The catalogue page; each flow's diagram is `diagrams/NAME.svg`.
pub fn render(title: &str, flows: &[FlowEntry]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape_markup(title),
        escape_markup(title)
    );
    let intro = escape_markup(super::INTRO).replace("`idflow doc`", "<code>idflow doc</code>");
    let _ = writeln!(out, "<p>{} flow(s). {intro}</p>", flows.len());
    out.push_str("<table>\n<tr><th>flow</th><th>starts</th><th>destructive actions</th><th>tests</th></tr>\n");
    for flow in flows {
        let destructive: Vec<String> = flow
            .destructive()
            .iter()
            .map(|name| format!("<code>{}</code>", escape_markup(name)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{name}\"><code>{name}</code></a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_markup(&flow.triggers.join(" ")),
            if destructive.is_empty() {
                "none".to_owned()
            } else {
                destructive.join(", ")
            },
            flow.tests.len(),
            name = escape_markup(&flow.name),
        );
    }
    out.push_str("</table>\n");
    for flow in flows {
        section(&mut out, flow);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn section(out: &mut String, flow: &FlowEntry) {
    let name = escape_markup(&flow.name);
    let _ = writeln!(out, "<section id=\"{name}\">\n<h2>{name}</h2>");
    if let Some(purpose) = &flow.purpose {
        let _ = writeln!(out, "<p class=\"purpose\">{}</p>", escape_markup(purpose));
    }
    out.push_str("<dl>\n");
    let _ = writeln!(
        out,
        "<dt>Version</dt><dd><code>{}</code></dd>",
        escape_markup(&flow.version)
    );
    let _ = writeln!(
        out,
        "<dt>Source</dt><dd><code>{}</code></dd>",
        escape_markup(&flow.file)
    );
    for trigger in &flow.triggers {
        let _ = writeln!(out, "<dt>Starts</dt><dd>{}</dd>", escape_markup(trigger));
    }
    let filter = flow.filter.as_ref().map_or_else(
        || "always (no filter)".to_owned(),
        |f| {
            format!(
                "<code>{}</code>; other events start no run",
                escape_markup(f)
            )
        },
    );
    let _ = writeln!(out, "<dt>Only when</dt><dd>{filter}</dd>\n</dl>");
    out.push_str("<h3>Actions</h3>\n");
    if flow.actions.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>action</th><th>effect</th><th>what it does</th></tr>\n");
        for action in &flow.actions {
            let _ = writeln!(
                out,
                "<tr class=\"{effect}\"><td><code>{}</code></td><td>{effect}</td><td>{}</td></tr>",
                escape_markup(&action.name),
                escape_markup(action.doc.as_deref().unwrap_or_default()),
                effect = action.effect,
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h3>Configuration</h3>\n");
    if flow.configs.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>config</th><th>default</th><th>by environment</th><th>meaning</th></tr>\n");
        for config in &flow.configs {
            let values: Vec<String> = config
                .by_environment()
                .iter()
                .map(|(env, value)| {
                    format!(
                        "{}: <code>{}</code>",
                        escape_markup(env),
                        escape_markup(value)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape_markup(&config.name),
                config.default.as_ref().map_or_else(
                    || "(required)".to_owned(),
                    |d| format!("<code>{}</code>", escape_markup(d))
                ),
                if values.is_empty() {
                    "—".to_owned()
                } else {
                    values.join("<br>")
                },
                escape_markup(config.doc.as_deref().unwrap_or_default()),
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(
        out,
        "<h3>Diagram</h3>\n<p><img src=\"diagrams/{name}.svg\" alt=\"The diagram of {name}\"></p>"
    );
    out.push_str("<h3>Tests</h3>\n");
    if flow.tests.is_empty() {
        out.push_str("<p>No test fires this flow.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for (test, passed) in &flow.tests {
            let (class, word) = if *passed {
                ("pass", "passes")
            } else {
                ("fail", "FAILS")
            };
            let _ = writeln!(
                out,
                "<li class=\"{class}\">{word}: {}</li>",
                escape_markup(test)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

const STYLE: &str = "body{font-family:Helvetica,Arial,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1a202c}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #cbd5e0;padding:.3rem .6rem;text-align:left;vertical-align:top}\
th{background:#edf2f7}code{font-size:.9em}section{border-top:2px solid #e2e8f0;margin-top:2rem}\
tr.destructive td{background:#fff5f5}tr.destructive td:nth-child(2){color:#c53030;font-weight:bold}\
dt{font-weight:bold;float:left;clear:left;width:7rem}dd{margin-left:8rem}.purpose{white-space:pre-line}\
li.fail{color:#c53030;font-weight:bold}img{max-width:100%;border:1px solid #e2e8f0}";
