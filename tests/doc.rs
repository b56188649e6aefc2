//! `idflow doc`: the catalogue of the reference project, for auditors —
//! each flow's purpose, trigger in words, actions with the destructive ones
//! flagged, configs by environment, diagram, version hash and tests.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a catalogue that is not written fails it"
)]

mod support;

fn catalogue() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = support::idflow(&[
        "doc",
        "examples",
        "-o",
        dir.path().to_str().unwrap(),
        "--title",
        "CHU — identity automation",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let markdown = std::fs::read_to_string(dir.path().join("index.md")).unwrap();
    (dir, html, markdown)
}

/// The part of the Markdown about one flow.
fn section<'m>(markdown: &'m str, flow: &str) -> &'m str {
    let start = markdown.find(&format!("\n## {flow}\n")).unwrap();
    let rest = &markdown[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn every_flow_has_its_purpose_version_trigger_actions_configs_diagram_and_tests() {
    let (dir, html, markdown) = catalogue();
    let plan = String::from_utf8(support::idflow(&["plan", "examples"]).stdout).unwrap();
    for line in plan.lines().filter(|l| l.starts_with("flow ")) {
        let mut words = line.split_whitespace().skip(1);
        let (flow, version) = (words.next().unwrap(), words.next().unwrap());
        let part = section(&markdown, flow);
        assert!(
            part.contains(&format!("- **Version**: `{version}`")),
            "{part}"
        );
        assert!(part.contains("```mermaid\nflowchart TD\n"), "{part}");
        assert!(html.contains(&format!("<section id=\"{flow}\">")));
        assert!(html.contains(&format!("<img src=\"diagrams/{flow}.svg\"")));
        let svg = std::fs::read_to_string(dir.path().join(format!("diagrams/{flow}.svg"))).unwrap();
        assert!(svg.contains("<svg "), "{flow}");
    }
    let leaver = section(&markdown, "deprovision_leaver");
    assert!(
        leaver
            .starts_with("## deprovision_leaver\n\nLeaver. When an account is deactivated in Okta"),
        "{leaver}"
    );
    assert!(leaver.contains(
        "- **Starts**: When okta reports it: A user was deactivated (`user.lifecycle.deactivate`)."
    ));
    assert!(
        leaver.contains(
            "| `okta.remove_from_group` | **destructive** | Remove a user from a group. |"
        )
    );
    assert!(leaver.contains("| `scim.patch_user` | write |"));
    assert!(leaver.contains(
        "- passes: a leaver's DPI account is deactivated, groups emptied and equipment collected"
    ));
    let security = section(&markdown, "block_foreign_signin");
    assert!(security.contains("| `ciso_channel` | `\"#rssi-alertes\"` | recette: `\"#iam-recette\"` | The Slack channel the CISO's team watches. |"), "{security}");
    let compliance = section(&markdown, "report_inactive_accounts");
    assert!(compliance.contains(
        "- **Starts**: On the schedule `0 7 1 * *` (cron), in the Europe/Paris time zone."
    ));
    assert!(compliance.contains("- **Only when**: always (no filter)."));
    assert!(markdown.contains("| [`deprovision_leaver`](#deprovision_leaver) |"));
    assert!(html.contains(
        "<tr class=\"destructive\"><td><code>okta.suspend_user</code></td><td>destructive</td>"
    ));
    // Text from the flows is escaped in HTML.
    assert!(html.contains("e.target?.any(t =&gt; t.type == &quot;User&quot;) == true"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert_eq!(
        html.matches("<section ").count(),
        html.matches("</section>").count()
    );
}
