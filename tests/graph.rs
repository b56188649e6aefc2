//! `idflow graph`: the diagrams of the reference project's flows. Mermaid
//! and DOT are snapshotted; every flow's SVG is rendered to PNG by resvg,
//! a renderer we did not write, which must find it well formed and draw
//! something on it.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a diagram that does not render fails it"
)]

mod support;

use std::collections::BTreeMap;

use idflow_compiler::graph::{self, EdgeKind, NodeKind, dot, mermaid, svg};
use idflow_compiler::plan::Plan;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

/// The reference project's plan.
fn reference_plan() -> Plan {
    let mut sources = SourceMap::new();
    for path in support::flow_files(&support::root().join("examples")) {
        sources.add(
            support::relative(&path),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap()
}

#[test]
fn mermaid_and_dot_of_every_reference_flow() {
    let plan = reference_plan();
    for flow in &plan.flows {
        let diagram = graph::graph(flow);
        insta::assert_snapshot!(format!("mermaid__{}", flow.name), mermaid::render(&diagram));
        insta::assert_snapshot!(format!("dot__{}", flow.name), dot::render(&diagram));
    }
}

#[test]
fn every_reference_flow_renders_to_a_png_with_something_drawn() {
    let plan = reference_plan();
    let mut fonts = resvg::usvg::fontdb::Database::new();
    fonts.load_system_fonts();
    let options = resvg::usvg::Options {
        fontdb: std::sync::Arc::new(fonts),
        ..resvg::usvg::Options::default()
    };
    for flow in &plan.flows {
        let picture = svg::render(&graph::graph(flow));
        let tree = resvg::usvg::Tree::from_str(&picture, &options)
            .unwrap_or_else(|e| panic!("{}: the SVG does not parse: {e}", flow.name));
        let size = tree.size().to_int_size();
        assert!(
            size.width() >= 100 && size.height() >= 100,
            "{}: {size:?}",
            flow.name
        );
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
        resvg::render(
            &tree,
            resvg::tiny_skia::Transform::default(),
            &mut pixmap.as_mut(),
        );
        let png = pixmap.encode_png().unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", flow.name);
        // Something is drawn: many pixels are neither transparent nor one colour.
        let drawn = pixmap.pixels().iter().filter(|p| p.alpha() > 0).count();
        let total = pixmap.pixels().len();
        assert!(
            drawn * 20 > total,
            "{}: {drawn} of {total} pixels drawn",
            flow.name
        );
        let colours: std::collections::BTreeSet<[u8; 4]> = pixmap
            .pixels()
            .iter()
            .map(|p| [p.red(), p.green(), p.blue(), p.alpha()])
            .collect();
        assert!(
            colours.len() > 8,
            "{}: {} colours",
            flow.name,
            colours.len()
        );
        if let Ok(dir) = std::env::var("IDFLOW_GRAPH_PNG_DIR") {
            std::fs::write(format!("{dir}/{}.png", flow.name), png).unwrap();
        }
    }
}

#[test]
fn the_diagram_shows_decisions_loops_waits_errors_and_ends() {
    let text = r##"import okta
import slack

/// Every construct of a flow.
flow everything {
  when okta.user_locked as e
  where e.actor != null
  then {
    wait 1h
    let user = okta.get_user(id: e.actor.id)
    if user.status == "SUSPENDED" {
      stop "already suspended"
    } else if user.status == "ACTIVE" {
      okta.suspend_user(id: user.id) on error(err) {
        slack.post_message(channel: "#iam", text: "could not suspend: {err.message}")
      }
    }
    for group in okta.list_user_groups(user: user.id) {
      slack.post_message(channel: "#iam", text: group.profile.name)
    }
  }
  on error(failure) {
    slack.post_message(channel: "#iam", text: failure.message)
  }
}
"##;
    let mut sources = SourceMap::new();
    sources.add("everything.flow", text);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let diagram = graph::graph(plan.flows.first().unwrap());
    let kinds: Vec<NodeKind> = diagram.nodes.iter().map(|n| n.kind).collect();
    for kind in [
        NodeKind::Trigger,
        NodeKind::Filter,
        NodeKind::Wait,
        NodeKind::Read,
        NodeKind::Decision,
        NodeKind::End,
        NodeKind::Destructive,
        NodeKind::Error,
        NodeKind::Loop,
        NodeKind::Write,
        NodeKind::Done,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing: {kinds:?}");
    }
    let labels: Vec<&str> = diagram
        .edges
        .iter()
        .filter_map(|e| e.label.as_deref())
        .collect();
    for label in [
        "yes",
        "user.status == \"SUSPENDED\"",
        "else",
        "each",
        "done",
        "on error",
        "any step fails",
    ] {
        assert!(labels.contains(&label), "{label} missing: {labels:?}");
    }
    assert!(diagram.edges.iter().any(|e| e.kind == EdgeKind::Repeat));
    let groups: Vec<&str> = diagram.groups.iter().map(|g| g.label.as_str()).collect();
    assert!(groups.contains(&"on error"), "{groups:?}");
    assert!(groups.contains(&"any step fails"), "{groups:?}");
    assert!(
        groups.iter().any(|g| g.starts_with("for group in")),
        "{groups:?}"
    );
    insta::assert_snapshot!("mermaid__everything", mermaid::render(&diagram));
    // The SVG draws a titled box per group, behind the cards: before the
    // first card (the trigger's) in the document.
    let picture = svg::render(&diagram);
    assert_eq!(
        picture.matches("stroke-dasharray=\"6 4\"").count(),
        diagram.groups.len(),
        "{picture}"
    );
    for group in &diagram.groups {
        assert!(
            picture.contains(&format!(">{}</text>", group.label)),
            "no title {:?}",
            group.label
        );
    }
    let last_frame = picture.rfind("stroke-dasharray=\"6 4\"").unwrap();
    assert!(last_frame < picture.find("when okta").unwrap());
}

#[test]
fn the_command_draws_one_flow_or_writes_every_flow_to_a_folder() {
    let output = support::idflow(&[
        "graph",
        "examples",
        "--flow",
        "deprovision_leaver",
        "--format",
        "dot",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("digraph \"deprovision_leaver\" {")
    );
    let output = support::idflow(&["graph", "examples"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("which flow? name one with --flow"));
    let dir = tempfile::tempdir().unwrap();
    let output = support::idflow(&[
        "graph",
        "examples",
        "--format",
        "svg",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written.len(), 8, "{written:?}");
    assert!(written.contains(&"deprovision_leaver.svg".to_owned()));
}
