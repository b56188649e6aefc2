//! The stdlib's connectors against the official specifications: every HTTP
//! action's method and path exists in its service's OpenAPI file (ServiceNow's
//! Table API reference, which has none), and every
//! Okta event names a System Log event type of Okta's catalogue. The facts
//! are extracted from ../shared/specs by `scripts/extract_spec_facts.py`.

mod support;

use std::collections::HashSet;

use idflow_compiler::format;
use idflow_compiler::source::FileId;
use idflow_compiler::syntax::{
    self,
    ast::{ConnectorMember, Item, StringPart},
};

/// `/api/v1/users/{id}` and `/api/v1/users/{userId}` are the same operation.
fn normalized(path: &str) -> String {
    let mut out = String::new();
    let mut in_hole = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_hole = true;
                out.push_str("{}");
            }
            '}' => in_hole = false,
            c if !in_hole => out.push(c),
            _ => {}
        }
    }
    out
}

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: a missing facts file fails the test"
)]
fn facts(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(support::root().join("stdlib/facts").join(name)).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every stdlib file, parsed; each must parse cleanly and be formatted.
#[expect(
    clippy::unwrap_used,
    reason = "a test helper: an unreadable stdlib file fails the test"
)]
fn stdlib() -> Vec<(String, syntax::ast::Module)> {
    support::flow_files(&support::root().join("stdlib"))
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed = syntax::parse(FileId(0), &text);
            let name = support::relative(&path);
            assert!(
                parsed.diagnostics.is_empty(),
                "{name}:\n{}",
                support::rendered_diagnostics(&name, &text)
            );
            assert_eq!(
                format::format(&parsed.module, &text),
                text,
                "{name} is not formatted"
            );
            (name, parsed.module)
        })
        .collect()
}

/// An HTTP action of a stdlib connector: where it is, and what it sends.
struct HttpAction {
    file: String,
    connector: String,
    action: String,
    method: &'static str,
    /// The path with every `{…}` hole written `{}`.
    path: String,
}

fn http_actions() -> Vec<HttpAction> {
    let mut actions = Vec::new();
    for (file, module) in stdlib() {
        for item in &module.items {
            let Item::Connector(connector) = item else {
                continue;
            };
            for member in &connector.members {
                let ConnectorMember::Action(action) = member else {
                    continue;
                };
                let Some(http) = &action.http else { continue };
                let path: String = http
                    .path
                    .parts
                    .iter()
                    .map(|part| match part {
                        StringPart::Text(text) => text.clone(),
                        StringPart::Interpolation(_) => "{}".to_owned(),
                    })
                    .collect();
                actions.push(HttpAction {
                    file: file.clone(),
                    connector: connector.name.name.clone(),
                    action: action.name.name.clone(),
                    method: http.method.as_str(),
                    path: normalized(&path),
                });
            }
        }
    }
    actions
}

#[test]
fn every_okta_and_slack_action_exists_in_the_official_openapi_file() {
    let operations: HashSet<String> = facts("openapi-operations.txt")
        .iter()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let (connector, method, path) = (parts.next()?, parts.next()?, parts.next()?);
            Some(format!("{connector} {method} {}", normalized(path)))
        })
        .collect();
    assert!(operations.len() > 500, "the facts file looks truncated");
    let actions: Vec<HttpAction> = http_actions()
        .into_iter()
        .filter(|a| a.connector == "okta" || a.connector == "slack")
        .collect();
    for a in &actions {
        let operation = format!("{} {} {}", a.connector, a.method, a.path);
        assert!(
            operations.contains(&operation),
            "{}: action `{}` sends `{operation}`, which the official OpenAPI file does not have",
            a.file,
            a.action
        );
    }
    assert!(
        actions.len() >= 20,
        "only {} actions were checked",
        actions.len()
    );
}

#[test]
fn every_scim_action_uses_a_resource_endpoint_as_rfc_7644_defines_it() {
    let endpoints = facts("scim-endpoints.txt");
    let actions: Vec<HttpAction> = http_actions()
        .into_iter()
        .filter(|a| a.connector == "scim")
        .collect();
    for a in &actions {
        // RFC 7644, section 3: a collection answers GET (query) and POST
        // (create); one resource answers GET, PUT, PATCH and DELETE.
        let allowed = endpoints.iter().any(|endpoint| {
            (a.path == *endpoint && ["GET", "POST"].contains(&a.method))
                || (a.path == format!("{endpoint}/{{}}")
                    && ["GET", "PUT", "PATCH", "DELETE"].contains(&a.method))
        });
        assert!(
            allowed,
            "{}: action `{}` sends `{} {}`, not a SCIM resource operation",
            a.file, a.action, a.method, a.path
        );
    }
    assert!(
        actions.len() >= 10,
        "only {} actions were checked",
        actions.len()
    );
}

#[test]
fn every_servicenow_action_is_a_table_api_operation_on_a_known_table() {
    let facts = facts("servicenow-table-api.txt");
    let tables: Vec<&str> = facts
        .iter()
        .filter_map(|line| line.strip_prefix("table "))
        .collect();
    let operations: HashSet<String> = facts
        .iter()
        .filter_map(|line| line.strip_prefix("servicenow "))
        .flat_map(|operation| {
            tables
                .iter()
                .map(move |table| normalized(&operation.replace("{tableName}", table)))
        })
        .collect();
    assert!(tables.contains(&"incident") && tables.contains(&"sc_task"));
    let actions: Vec<HttpAction> = http_actions()
        .into_iter()
        .filter(|a| a.connector == "servicenow")
        .collect();
    for a in &actions {
        let operation = format!("{} {}", a.method, a.path);
        assert!(
            operations.contains(&operation),
            "{}: action `{}` sends `{operation}`, which the Table API reference does not have",
            a.file,
            a.action
        );
    }
    assert!(
        actions.len() >= 6,
        "only {} actions were checked",
        actions.len()
    );
}

#[test]
fn every_okta_event_is_in_the_system_log_catalogue() {
    let catalogue: HashSet<String> = facts("okta-event-types.txt").into_iter().collect();
    assert!(catalogue.contains("user.session.start") && catalogue.len() > 1000);
    let mut checked = 0;
    for (name, module) in stdlib() {
        for item in &module.items {
            let Item::Connector(connector) = item else {
                continue;
            };
            if connector.name.name != "okta" {
                continue;
            }
            for member in &connector.members {
                let ConnectorMember::Event(event) = member else {
                    continue;
                };
                assert!(
                    catalogue.contains(&event.provider_name.value),
                    "{name}: event `{}` names `{}`, which Okta's catalogue does not have",
                    event.name.name,
                    event.provider_name.value
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} events were checked");
}

#[test]
fn paths_are_compared_without_their_parameter_names() {
    assert_eq!(
        normalized("/api/v1/users/{id}/groups"),
        "/api/v1/users/{}/groups"
    );
    assert_eq!(
        normalized("/api/v1/groups/{groupId}/users/{userId}"),
        "/api/v1/groups/{}/users/{}"
    );
}
