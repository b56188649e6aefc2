//! The doors of `idflow serve` tried as an attacker and a careless operator
//! would: empty secrets, empty keys, bursts, unknown event types, special
//! files.

use std::time::Duration;

use super::harness::{self, Receiver, Serve, delivery, okta_headers, sample};
use super::{project, with_uuid};

/// Rewrites the project's `idflow.toml` with `edit`.
fn edit_manifest(dir: &std::path::Path, edit: impl FnOnce(String) -> String) {
    let path = dir.join("idflow.toml");
    let manifest = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, edit(manifest)).unwrap();
}

#[test]
fn an_empty_hook_secret_refuses_to_start_naming_the_setting() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    for empty in ["", "   \t"] {
        let stderr = harness::refused_start(dir.path(), &[("TEST_HOOK_SECRET", empty)]);
        assert!(stderr.contains("serve.okta_hook.secret"), "{stderr}");
        assert!(stderr.contains("`TEST_HOOK_SECRET` is empty"), "{stderr}");
    }
}

#[test]
fn a_secret_file_holding_only_whitespace_refuses_to_start() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    std::fs::write(dir.path().join("hook.secret"), " \n\n").unwrap();
    edit_manifest(dir.path(), |m| {
        m.replace(
            "secret = { env = \"TEST_HOOK_SECRET\" }",
            "secret = { file = \"hook.secret\" }",
        )
    });
    let stderr = harness::refused_start(dir.path(), &[]);
    assert!(stderr.contains("serve.okta_hook.secret"), "{stderr}");
    assert!(stderr.contains("hook.secret` is empty"), "{stderr}");
}

#[test]
fn an_empty_webhook_key_refuses_to_start_naming_the_path() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(
        &receiver,
        "\n[serve.webhooks.\"/hooks/hr-feed\"]\nsecret = { env = \"TEST_HR_KEY\" }\n",
    );
    let stderr = harness::refused_start(dir.path(), &[("TEST_HR_KEY", "")]);
    assert!(
        stderr.contains("serve.webhooks.\"/hooks/hr-feed\".secret"),
        "{stderr}"
    );
}

#[test]
fn an_empty_authorization_header_never_matches() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let serve = Serve::start(dir.path());
    let body = delivery(&[with_uuid(sample("user.session.start.failure.json"), "e-1")]);
    let headers = [("Authorization", ""), ("Content-Type", "application/json")];
    let (status, answer) = serve.request("POST", "/hooks/okta", &headers, &body);
    assert_eq!(status, 401, "{answer}");
    let (status, _) = serve.request(
        "GET",
        "/hooks/okta",
        &[("X-Okta-Verification-Challenge", "abc")],
        b"",
    );
    assert_eq!(status, 401);
    let (status, _) = serve.request("POST", "/hooks/okta", &okta_headers(), &body);
    assert_eq!(status, 200);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_flow_neither_blocks_the_reload_nor_the_shutdown() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let mut serve = Serve::start_watching(dir.path(), true);
    let fifo = dir.path().join("pipe.flow");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    serve.wait_log("is a FIFO, not a regular file");
    // The reload is free again: removing the FIFO and adding a flow deploys.
    std::fs::remove_file(&fifo).unwrap();
    super::add_flow(
        dir.path(),
        "suspended.flow",
        "/// A ticket for each suspension.\nflow on_suspend {\n  when okta.user_suspended as e\n  then {\n    helpdesk.open(title: \"suspended: {e.uuid}\")\n  }\n}\n",
    );
    serve.wait_log("project reloaded");
    assert_eq!(serve.terminate(), Some(0), "{}", serve.log());
}

#[cfg(unix)]
#[test]
fn a_project_with_a_link_to_dev_zero_refuses_to_start_naming_it() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.flow")).unwrap();
    let stderr = harness::refused_start(dir.path(), &[]);
    assert!(
        stderr.contains("zero.flow` is a character device, not a regular file"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_okta_event_type_is_queued_counted_logged_once_and_fires_its_trigger() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    super::add_flow(
        dir.path(),
        "new_type.flow",
        "/// A ticket for an event type newer than the catalogue.\nflow on_new_type {\n  when okta.event(\"device.assurance.policy.evaluated\") as e\n  then {\n    helpdesk.open(title: \"new type: {e.uuid}\")\n  }\n}\n",
    );
    let serve = Serve::start(dir.path());
    let unknown = |uuid: &str| {
        let mut event = with_uuid(sample("user.lifecycle.suspend.json"), uuid);
        event["eventType"] = serde_json::json!("device.assurance.policy.evaluated");
        event
    };
    let known = with_uuid(sample("user.session.start.failure.json"), "k-1");
    let batch = delivery(&[known, unknown("n-1"), unknown("n-2")]);
    let (status, answer) = serve.request("POST", "/hooks/okta", &okta_headers(), &batch);
    assert_eq!(status, 200, "{answer}");
    receiver.wait_for("the two tickets", |r| {
        r.iter().filter(|r| r.route == "POST /tickets").count() == 2
    });
    assert_eq!(
        super::metric(&serve, "idflow_events_unknown_type_total"),
        2.0
    );
    assert_eq!(
        serve
            .log()
            .matches("missing from the bundled catalogue")
            .count(),
        1,
        "{}",
        serve.log()
    );
}

#[test]
fn empty_identifiers_are_refused_and_keys_are_bytes() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(
        &receiver,
        "\n[serve.webhooks.\"/hooks/hr-feed\"]\nsignature_header = \"X-Signature-256\"\n",
    );
    super::add_flow(
        dir.path(),
        "hr.flow",
        "/// A ticket per HR change.\nflow hr_feed {\n  when webhook \"/hooks/hr-feed\" as req\n  then {\n    helpdesk.open(title: \"HR change\")\n  }\n}\n",
    );
    let serve = Serve::start(dir.path());
    // An Okta event with an empty uuid: refused, naming the field; a later
    // one with a real uuid is not taken for its duplicate.
    for uuid in ["", "  "] {
        let event = with_uuid(sample("user.session.start.failure.json"), uuid);
        let (status, answer) =
            serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
        assert_eq!(status, 400, "{answer}");
        assert!(answer.contains("`uuid` is empty"), "{answer}");
    }
    let send = |key: Option<&str>| {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(key) = key {
            headers.push(("Idempotency-Key", key));
        }
        serve.request("POST", "/hooks/hr-feed", &headers, b"{}")
    };
    let (status, answer) = send(Some(""));
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains("`Idempotency-Key` header is empty"),
        "{answer}"
    );
    // Blank keys do not make every later blank-key delivery a replay.
    assert_eq!(send(Some("")).0, 400);
    // Non-ASCII keys are keys: two different ones both run, a replay is
    // recognised.
    assert_eq!(send(Some("lot-é")).0, 202);
    assert_eq!(send(Some("lot-è")).0, 202);
    let (status, answer) = send(Some("lot-é"));
    assert_eq!(status, 409, "{answer}");
    assert_eq!(send(None).0, 202);
    receiver.wait_for("three tickets", |r| {
        r.iter().filter(|r| r.route == "POST /tickets").count() == 3
    });
}

#[test]
fn a_burst_is_pushed_back_on_once_admitted_work_reaches_the_limit() {
    // One worker, tickets that take 300 ms: runs pile up unless intake
    // counts them.
    let receiver = Receiver::start(Duration::from_millis(300));
    let dir = project(&receiver, "");
    edit_manifest(dir.path(), |m| {
        m.replace("[serve]\n", "[serve]\nworkers = 1\nqueue_limit = 4\n")
    });
    let serve = Serve::start(dir.path());
    let leaver = |n: usize| {
        delivery(&[with_uuid(
            sample("user.lifecycle.deactivate.json"),
            &format!("leaver-{n}"),
        )])
    };
    let mut accepted = 0;
    let mut refused = None;
    for n in 0..10 {
        let (status, head, body) = harness::http_with_head(
            serve.address,
            "POST",
            "/hooks/okta",
            &okta_headers(),
            &leaver(n),
        )
        .unwrap();
        match status {
            200 => accepted += 1,
            429 => {
                refused = Some((n, head, body));
                break;
            }
            other => panic!("delivery {n}: {other} {body}"),
        }
        // Long enough for the dispatcher to turn the event into a run.
        std::thread::sleep(Duration::from_millis(50));
    }
    let Some((n, head, body)) = refused else {
        panic!("ten leavers against a limit of 4 were all accepted");
    };
    assert_eq!(accepted, 4, "refused at delivery {n}");
    assert!(head.to_lowercase().contains("retry-after: 5"), "{head}");
    assert!(
        body.contains("admitted and not finished, the limit is 4"),
        "{body}"
    );
    assert!(super::metric(&serve, "idflow_unfinished_runs") >= 1.0);
    // Once the runs finish, deliveries are taken again.
    receiver.wait_for("the four leavers' tickets", |r| {
        r.iter().filter(|r| r.route == "POST /tickets").count() == 8
    });
    let start = std::time::Instant::now();
    loop {
        let (status, _) = serve.request("POST", "/hooks/okta", &okta_headers(), &leaver(99));
        if status == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A project that imports `okta` for its events only: no flow calls an
/// Okta action.
const TRIGGERS_ONLY: &str = "import okta\n\n/// The helpdesk.\nconnector helpdesk {\n  base_url: \"http://127.0.0.1\"\n\n  /// Open a ticket.\n  action open(title: String) -> Json = POST \"/tickets\" body { title }\n}\n\n/// A ticket for each failed sign-in.\nflow failed_signin {\n  when okta.user_session_start as e\n  where e.outcome?.result == \"FAILURE\"\n  then {\n    helpdesk.open(title: \"failed sign-in {e.uuid}\")\n  }\n}\n";

#[test]
fn the_poller_serves_a_project_that_imports_okta_for_its_triggers_only() {
    let receiver = Receiver::start(Duration::ZERO);
    receiver.recorded.lock().unwrap().log_events = vec![sample("user.session.start.failure.json")];
    let poller = "\n[serve.okta_poller]\ninterval_seconds = 1\nsince = \"2020-01-01T00:00:00Z\"\n";
    let dir = project(&receiver, poller);
    std::fs::write(dir.path().join("flows.flow"), TRIGGERS_ONLY).unwrap();
    let serve = Serve::start(dir.path());
    receiver.wait_for("the ticket of the polled event", |r| {
        r.iter().any(|r| r.route == "POST /tickets")
    });
    drop(serve);
    // Without the poller, the hook needs no Okta token; with it, a
    // missing token stops the start, naming the poller and the secret.
    let manifest = std::fs::read_to_string(dir.path().join("idflow.toml")).unwrap();
    let without_token = manifest.replace(poller, "").replace(
        "secrets = { OKTA_API_TOKEN = { env = \"TEST_OKTA_TOKEN\" } }\n",
        "",
    );
    std::fs::write(dir.path().join("idflow.toml"), &without_token).unwrap();
    let serve = Serve::start(dir.path());
    let event = with_uuid(sample("user.session.start.failure.json"), "hooked-1");
    let (status, _) = serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
    assert_eq!(status, 200);
    receiver.wait_for("the ticket of the hooked event", |r| {
        r.iter().filter(|r| r.route == "POST /tickets").count() == 2
    });
    std::fs::write(
        dir.path().join("idflow.toml"),
        format!("{without_token}{poller}"),
    )
    .unwrap();
    let stderr = harness::refused_start(dir.path(), &[]);
    assert!(
        stderr
            .contains("serve.okta_poller: the System Log poller reads through the Okta connection")
            && stderr.contains("OKTA_API_TOKEN"),
        "{stderr}"
    );
}

#[test]
fn a_second_service_on_the_same_store_refuses_to_start_naming_the_first() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    edit_manifest(dir.path(), |m| {
        m.replace("[serve]\n", "[serve]\nstore = \"state.db\"\n")
    });
    let serve = Serve::start(dir.path());
    let stderr = harness::refused_start(dir.path(), &[]);
    assert!(
        stderr.contains(&format!(
            "another `idflow serve` (process {}) already serves the store",
            serve.pid()
        )),
        "{stderr}"
    );
}

#[test]
fn build_prints_the_plan_id_serve_deploys_the_project_under() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_idflow"))
        .arg("build")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("plan.idflow"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&built.stderr).into_owned();
    let id = said
        .split("plan ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no plan id in {said:?}"))
        .to_owned();
    assert_eq!(id.len(), 32, "{said}");
    let serve = Serve::start(dir.path());
    let (_, ready) = serve.request("GET", "/readyz", &[], b"");
    assert_eq!(ready.trim(), format!("ready: plan {id}"));
}

#[test]
fn every_deployment_is_audited_a_rollback_included() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let mut serve = Serve::start_watching(dir.path(), true);
    let deploys = |serve: &Serve| -> Vec<String> {
        serve
            .idflow(&["audit", "export"])
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| r["kind"] == "deploy")
            .map(|r| r["data"]["plan"].as_str().unwrap().to_owned())
            .collect()
    };
    let extra = dir.path().join("suspended.flow");
    super::add_flow(
        dir.path(),
        "suspended.flow",
        "/// A ticket for each suspension.\nflow on_suspend {\n  when okta.user_suspended as e\n  then {\n    helpdesk.open(title: \"suspended: {e.uuid}\")\n  }\n}\n",
    );
    serve.wait_log("project reloaded");
    std::fs::remove_file(&extra).unwrap();
    let start = std::time::Instant::now();
    while deploys(&serve).len() < 3 {
        assert!(start.elapsed() < harness::PATIENCE, "{}", serve.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let seen = deploys(&serve);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_ne!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2], "the return to the first plan is recorded");
    // A restart on the same plan is not a deployment.
    serve.kill();
    serve.restart();
    assert_eq!(deploys(&serve), seen);
    let verified = serve.idflow(&["audit", "verify"]);
    assert!(verified.starts_with("audit log intact"), "{verified}");
}

#[test]
fn a_log_that_is_not_a_terminal_has_no_colour_codes() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    let serve = Serve::start(dir.path());
    let (status, _) = serve.request("POST", "/hooks/okta", &[], b"{}");
    assert_eq!(status, 401);
    serve.wait_log("request refused");
    assert!(!serve.log().contains('\u{1b}'), "{:?}", serve.log());
}

#[test]
fn a_secret_config_is_read_at_start_and_a_missing_one_stops_it() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(&receiver, "");
    super::add_flow(
        dir.path(),
        "signed.flow",
        "/// The HR feed's signing key.\nconfig hr_key: Secret\n\n/// A signed ticket for each suspension.\nflow signed {\n  when okta.user_suspended as e\n  then {\n    helpdesk.open(title: hmac.sha256(hr_key, \"hello\"))\n  }\n}\n",
    );
    let stderr = harness::refused_start(dir.path(), &[]);
    assert!(stderr.contains("config `hr_key` has no value"), "{stderr}");
    edit_manifest(dir.path(), |m| {
        format!("[config]\nhr_key = {{ file = \"hr.key\" }}\n\n{m}")
    });
    std::fs::write(dir.path().join("hr.key"), "s3cr3t-hr-key\n").unwrap();
    let serve = Serve::start(dir.path());
    let event = with_uuid(sample("user.lifecycle.suspend.json"), "signed-1");
    let (status, _) = serve.request("POST", "/hooks/okta", &okta_headers(), &delivery(&[event]));
    assert_eq!(status, 200);
    receiver.wait_for("the signed ticket", |r| {
        r.iter().any(|r| {
            r.body["title"] == "575c9f79924390983eb387fe05be49470485f63cb81df91b61ef341815bf464b"
        })
    });
}

#[test]
fn a_webhook_can_ask_for_a_bearer_token_or_an_api_key() {
    let receiver = Receiver::start(Duration::ZERO);
    let dir = project(
        &receiver,
        "\n[serve.webhooks.\"/hooks/bearer\"]\ntoken = { env = \"TEST_WEBHOOK_TOKEN\" }\n\n[serve.webhooks.\"/hooks/keyed\"]\ntoken = { env = \"TEST_WEBHOOK_TOKEN\" }\ntoken_header = \"X-Api-Key\"\n",
    );
    super::add_flow(
        dir.path(),
        "hooks.flow",
        "/// A ticket per bearer delivery.\nflow bearer {\n  when webhook \"/hooks/bearer\" as req\n  then {\n    helpdesk.open(title: \"bearer\")\n  }\n}\n\n/// A ticket per keyed delivery.\nflow keyed {\n  when webhook \"/hooks/keyed\" as req\n  then {\n    helpdesk.open(title: \"keyed\")\n  }\n}\n",
    );
    let stderr = harness::refused_start(dir.path(), &[("TEST_WEBHOOK_TOKEN", " ")]);
    assert!(
        stderr.contains("webhooks.\"/hooks/bearer\".token"),
        "{stderr}"
    );
    let serve = Serve::start(dir.path());
    let send = |path: &str, header: Option<(&str, &str)>| {
        let mut headers = vec![("Content-Type", "application/json")];
        headers.extend(header);
        serve.request("POST", path, &headers, b"{}").0
    };
    let bearer = format!("Bearer {}", harness::WEBHOOK_TOKEN);
    for refused in [
        None,
        Some(("Authorization", "")),
        Some(("Authorization", "Bearer guessed")),
        Some(("Authorization", harness::WEBHOOK_TOKEN)),
        Some(("X-Api-Key", harness::WEBHOOK_TOKEN)),
    ] {
        assert_eq!(send("/hooks/bearer", refused), 401, "{refused:?}");
    }
    assert_eq!(send("/hooks/bearer", Some(("Authorization", &bearer))), 202);
    for refused in [
        None,
        Some(("X-Api-Key", "")),
        Some(("X-Api-Key", "guessed")),
        Some(("Authorization", &bearer)),
    ] {
        assert_eq!(send("/hooks/keyed", refused), 401, "{refused:?}");
    }
    assert_eq!(
        send("/hooks/keyed", Some(("X-Api-Key", harness::WEBHOOK_TOKEN))),
        202
    );
    receiver.wait_for("one ticket per accepted delivery", |r| {
        r.iter().filter(|r| r.route == "POST /tickets").count() == 2
    });
}
