//! The SCIM connector against a real SCIM 2.0 server: `scim2-server` (PyPI,
//! installed by `.ci/run`), started on 127.0.0.1 by the test. A joiner flow
//! creates a user, deactivates it with a PATCH, finds it by a filter and
//! deletes it — and the server's state is checked after each.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a server that does not start, or a failed request, fails it"
)]

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use idflow_compiler::plan::value::Value;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::executor::{Executor, RunStatus};
use idflow_runtime::http::{HttpConnectors, Settings};
use idflow_runtime::trace::Redactor;
use serde_json::json;

const TOKEN: &str = "s3cret-scim-token";

/// The server process, stopped when the test ends.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("scim2-server")
        .args([
            "--hostname",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--bearer-token",
            TOKEN,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("scim2-server is installed (`pip install scim2-server`, as .ci/run does)");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "scim2-server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server {
        child,
        base: format!("http://127.0.0.1:{port}/v2"),
    }
}

const JOINER: &str = r#"import okta
import scim

/// Provisions a new hire into the business application, then exercises the
/// account's lifecycle.
flow joiner {
  when okta.user_created as e
  where e.target != null
  then {
    let login = e.target[0].alternateId ?? ""
    let created = scim.create_user(user: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: login,
      externalId: e.target[0].id,
      active: true,
      emails: [{ value: login, primary: true, type: "work" }],
    })
    scim.patch_user(id: created.id ?? "", operations: [{ op: "replace", path: "active", value: false }])
    let found = scim.find_users(filter: "userName eq \"{login}\"")
    for account in found.Resources ?? [] {
      if account.active == false {
        scim.delete_user(id: account.id ?? "")
      }
    }
  }
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_scim_connector_creates_patches_finds_and_deletes_for_real() {
    let server = start();
    let mut sources = SourceMap::new();
    sources.add("joiner.flow", JOINER);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    let settings = Settings {
        values: [("SCIM_BASE_URL".to_owned(), server.base.clone())].into(),
        secrets: [("SCIM_TOKEN".to_owned(), TOKEN.to_owned())].into(),
        base_urls: BTreeMap::new(),
        configs: BTreeMap::new(),
    };
    let connectors = HttpConnectors::new(&plan, &settings, Duration::from_secs(10)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(
        &plan,
        &connectors,
        &configs,
        Redactor::new([TOKEN.to_owned()]),
        0,
        false,
    );
    let event = json!({"uuid": "1", "published": "2026-03-29T00:00:00Z", "eventType": "user.lifecycle.create",
                       "target": [{"id": "00u7", "type": "User", "alternateId": "c.durand@chu-exemple.fr"}]});
    let flow = plan.flows.first().unwrap();
    let report = executor.run(flow, Some(Value::from_json(&event))).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let what: Vec<&str> = report.trace.iter().map(|t| t.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "let login",
            "scim.create_user",
            "scim.patch_user",
            "scim.find_users",
            "scim.delete_user"
        ]
    );
    let created = report.trace[1].output.clone().unwrap();
    assert_eq!(created["userName"], "c.durand@chu-exemple.fr");
    assert_eq!(created["externalId"], "00u7");
    let id = created["id"].as_str().unwrap().to_owned();
    let found = report.trace[3].output.clone().unwrap();
    assert_eq!(found["totalResults"], 1);
    assert_eq!(
        found["Resources"][0]["active"], false,
        "the PATCH reached the server"
    );
    // The server no longer has the user.
    let client = reqwest::Client::new();
    let after = client
        .get(format!("{}/Users/{id}", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status().as_u16(), 404);
    assert!(!serde_json::to_string(&report).unwrap().contains(TOKEN));
}
