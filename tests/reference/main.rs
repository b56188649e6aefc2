//! The reference project (`examples/`) end to end: each of its eight flows
//! runs — with the live engines `idflow run` and `idflow serve` use — against
//! real servers on 127.0.0.1: `scim2-server` for the clinical records
//! application, `aiosmtpd` for mail, and a local HTTP server playing Okta,
//! Slack and ServiceNow. Each test checks the requests the flow made and
//! what the servers hold afterwards.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test: a server that does not start, or an answer without the field, fails it"
)]

mod apis;
mod servers;
#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use idflow_compiler::plan::ir::Plan;
use idflow_compiler::plan::value::Value;
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::engines::Engines;
use idflow_runtime::executor::{Executor, RunReport, RunStatus};
use idflow_runtime::http::Settings;
use idflow_runtime::journal::Memory;
use idflow_runtime::trace::Redactor;
use serde_json::{Value as Json, json};

use apis::Apis;
use servers::{Mail, SCIM_TOKEN, Scim, Smtp};

const OKTA_TOKEN: &str = "00okta-token-for-the-reference-tests";
const SLACK_TOKEN: &str = "xoxb-slack-token-for-the-reference-tests";
const SERVICENOW_PASSWORD: &str = "servicenow-password-for-the-reference-tests";

/// The servers of one test, and the reference project's plan.
struct World {
    runtime: tokio::runtime::Runtime,
    apis: Apis,
    scim: Scim,
    smtp: Smtp,
    plan: Plan,
    _dir: tempfile::TempDir,
}

impl World {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let apis = Apis::start(&runtime);
        let smtp = Smtp::start(dir.path());
        let plan = reference_plan();
        World {
            apis,
            scim: Scim::start(),
            smtp,
            plan,
            runtime,
            _dir: dir,
        }
    }

    /// The connections `idflow.toml` or the environment would give.
    fn settings(&self) -> Settings {
        let values = [
            ("OKTA_ORG_URL", self.apis.url()),
            ("SERVICENOW_INSTANCE_URL", self.apis.url()),
            ("SERVICENOW_USER", "idflow.integration".to_owned()),
            ("SCIM_BASE_URL", self.scim.base.clone()),
            ("SMTP_HOST", "127.0.0.1".to_owned()),
            // The local relay speaks plain SMTP on its own port.
            ("SMTP_PORT", self.smtp.port.to_string()),
            ("SMTP_SECURITY", "plain".to_owned()),
            ("SMTP_FROM", "idflow <idflow@chu-exemple.fr>".to_owned()),
        ];
        let secrets = [
            ("OKTA_API_TOKEN", OKTA_TOKEN),
            ("SLACK_BOT_TOKEN", SLACK_TOKEN),
            ("SERVICENOW_PASSWORD", SERVICENOW_PASSWORD),
            ("SCIM_TOKEN", SCIM_TOKEN),
        ];
        Settings {
            values: values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            secrets: secrets
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            base_urls: [("slack".to_owned(), format!("{}/slack/api", self.apis.url()))].into(),
            configs: BTreeMap::new(),
        }
    }

    /// Runs `flow` for `event` (none for a schedule) at `now`, then, while
    /// the run waits, moves the clock to its due time and resumes it — as
    /// `idflow serve` does from its store. The last report.
    fn run(&self, flow: &str, event: Option<Json>, now: &str) -> RunReport {
        let flow = self
            .plan
            .flows
            .iter()
            .find(|f| f.name == flow)
            .expect("the flow is in the reference project");
        let engines = Engines::new(&self.plan, &self.settings(), Duration::from_secs(10)).unwrap();
        let configs = BTreeMap::new();
        let now = time(now);
        let secrets = [OKTA_TOKEN, SLACK_TOKEN, SERVICENOW_PASSWORD, SCIM_TOKEN].map(str::to_owned);
        let executor = Executor::new(
            &self.plan,
            &engines,
            &configs,
            Redactor::new(secrets),
            now,
            false,
        );
        let key = event
            .as_ref()
            .and_then(|e| e["uuid"].as_str())
            .map_or_else(|| format!("schedule:{}:{now}", flow.name), str::to_owned);
        let event = event.as_ref().map(Value::from_json);
        let mut journal = Memory::at(now);
        let mut report =
            self.runtime
                .block_on(executor.run_journaled(flow, event.clone(), &key, &journal));
        while let RunStatus::Waiting {
            until_ms: Some(due),
            ..
        } = report.status
        {
            journal.clock = due;
            report =
                self.runtime
                    .block_on(executor.run_journaled(flow, event.clone(), &key, &journal));
        }
        report
    }

    fn mails(&self) -> Vec<Mail> {
        self.smtp.mails().iter().map(|m| Mail::parse(m)).collect()
    }
}

/// The reference project's plan.
fn reference_plan() -> Plan {
    let mut sources = SourceMap::new();
    for path in support::flow_files(&support::root().join("examples")) {
        let text = std::fs::read_to_string(&path).unwrap();
        sources.add(support::relative(&path), text);
    }
    idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap()
}

fn time(text: &str) -> i64 {
    idflow_compiler::plan::typed::parse_instant(text).unwrap()
}

/// A file of `examples/`, as JSON.
fn example(path: &str) -> Json {
    let text = std::fs::read_to_string(support::root().join("examples").join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An Okta user of the project's test answers, with profile fields changed.
fn user(file: &str, profile: &Json) -> Json {
    let mut user = example(&format!("tests/answers/{file}"));
    for (key, value) in profile.as_object().unwrap() {
        user["profile"][key] = value.clone();
    }
    user
}

fn succeeded(report: &RunReport) {
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
}

#[test]
fn joiner_creates_the_dpi_account_over_scim_and_writes_its_id_back_to_okta() {
    let world = World::start();
    let jeanne = user("jeanne-martin.json", &json!({}));
    world
        .apis
        .answer("GET", "/api/v1/users/00uJMARTIN000000001", jeanne.clone());
    world
        .apis
        .answer("POST", "/api/v1/users/00uJMARTIN000000001", jeanne);
    let report = world.run(
        "provision_clinical_account",
        Some(example("events/user-created.json")),
        "2026-09-01T07:30:13Z",
    );
    succeeded(&report);
    let account = world
        .runtime
        .block_on(world.scim.find("jeanne.martin@chu-exemple.fr"))
        .expect("the DPI has the account");
    assert_eq!(account["externalId"], "00uJMARTIN000000001");
    assert_eq!(account["name"]["familyName"], "Martin");
    assert_eq!(account["title"], "Infirmière");
    assert_eq!(account["active"], true);
    assert_eq!(
        account["emails"][0]["value"],
        "jeanne.martin@chu-exemple.fr"
    );
    let enterprise = &account["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    assert_eq!(enterprise["department"], "Cardiologie");
    assert_eq!(enterprise["employeeNumber"], "A12345");
    let written = world.apis.to("POST", "/api/v1/users/00uJMARTIN000000001");
    assert_eq!(written.len(), 1);
    assert_eq!(
        written[0].body,
        json!({"profile": {"dpiAccountId": account["id"]}})
    );
    assert_eq!(
        written[0].authorization.as_deref(),
        Some(format!("SSWS {OKTA_TOKEN}").as_str())
    );
}

#[test]
fn mover_swaps_the_department_groups_reading_every_page_and_mails_the_manager() {
    let world = World::start();
    let groups = example("tests/answers/jeanne-groups-before-move.json");
    let (first, second) = groups.as_array().unwrap().split_at(2);
    world.apis.answer(
        "GET",
        "/api/v1/users/00uJMARTIN000000001",
        user("jeanne-martin.json", &json!({})),
    );
    world.apis.answer(
        "GET",
        "/api/v1/users/00uCLEROY0000000001",
        user("claire-leroy.json", &json!({})),
    );
    // Okta pages the user's groups: the second page is reached by the `Link` header.
    world.apis.answer_page(
        "GET",
        "/api/v1/users/00uJMARTIN000000001/groups",
        &[],
        json!(first),
        Some("/api/v1/users/00uJMARTIN000000001/groups?after=00g1dpi-urgences"),
    );
    world.apis.answer_page(
        "GET",
        "/api/v1/users/00uJMARTIN000000001/groups",
        &[("after", "00g1dpi-urgences")],
        json!(second),
        None,
    );
    for group in ["00g1urgences", "00g1dpi-urgences"] {
        let path = format!("/api/v1/groups/{group}/users/00uJMARTIN000000001");
        world.apis.answer("DELETE", &path, json!({}));
    }
    for group in ["00g1cardiologie", "00g1dpi-cardiologie"] {
        let path = format!("/api/v1/groups/{group}/users/00uJMARTIN000000001");
        world.apis.answer("PUT", &path, json!({}));
    }
    let report = world.run(
        "move_department_groups",
        Some(example("events/profile-updated-department.json")),
        "2026-10-05T09:12:45Z",
    );
    succeeded(&report);
    assert_eq!(
        world.apis.writes(),
        [
            "DELETE /api/v1/groups/00g1urgences/users/00uJMARTIN000000001",
            "DELETE /api/v1/groups/00g1dpi-urgences/users/00uJMARTIN000000001",
            "PUT /api/v1/groups/00g1cardiologie/users/00uJMARTIN000000001",
            "PUT /api/v1/groups/00g1dpi-cardiologie/users/00uJMARTIN000000001",
        ]
    );
    let mails = world.mails();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0].to, ["claire.leroy@chu-exemple.fr"]);
    assert_eq!(mails[0].subject, "Changement de service : Jeanne Martin");
    assert!(
        mails[0]
            .body
            .contains("Groupes ajoutés : Cardiologie, DPI - Cardiologie"),
        "{mails:#?}"
    );
}

#[test]
fn leaver_deactivates_the_dpi_account_empties_the_groups_and_opens_a_servicenow_task() {
    let world = World::start();
    let existing = world.runtime.block_on(world.scim.create(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "pierre.durand@chu-exemple.fr",
        "externalId": "00uPDURAND00000001",
        "active": true,
    })));
    let dpi_id = existing["id"].as_str().expect("the SCIM server gave an id");
    world.apis.answer(
        "GET",
        "/api/v1/users/00uPDURAND00000001",
        user("pierre-durand.json", &json!({"dpiAccountId": dpi_id})),
    );
    world.apis.answer(
        "GET",
        "/api/v1/users/00uPDURAND00000001/groups",
        example("tests/answers/pierre-groups.json"),
    );
    for group in ["00g1urgences", "00g1dpi-urgences"] {
        let path = format!("/api/v1/groups/{group}/users/00uPDURAND00000001");
        world.apis.answer("DELETE", &path, json!({}));
    }
    world.apis.answer(
        "POST",
        "/api/now/table/sc_task",
        json!({"result": {"sys_id": "f3a9c0de12", "number": "SCTASK0010452"}}),
    );
    let report = world.run(
        "deprovision_leaver",
        Some(example("events/user-deactivated.json")),
        "2026-11-16T18:15:13Z",
    );
    succeeded(&report);
    let account = world.runtime.block_on(world.scim.get(dpi_id));
    assert_eq!(account["active"], false, "{account}");
    assert_eq!(account["userName"], "pierre.durand@chu-exemple.fr");
    assert_eq!(
        world.apis.writes(),
        [
            "DELETE /api/v1/groups/00g1urgences/users/00uPDURAND00000001",
            "DELETE /api/v1/groups/00g1dpi-urgences/users/00uPDURAND00000001",
            "POST /api/now/table/sc_task",
        ]
    );
    let task = &world.apis.to("POST", "/api/now/table/sc_task")[0];
    assert_eq!(
        task.body["short_description"],
        "Restitution du matériel : Pierre Durand"
    );
    assert_eq!(
        task.body["assignment_group"],
        "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    );
    assert_eq!(task.body["due_date"], "2026-11-23 18:15:12");
    assert_eq!(task.query["sysparm_exclude_reference_link"], "true");
    let basic = task.authorization.as_deref().unwrap_or_default();
    assert!(basic.starts_with("Basic "), "{basic}");
}

#[test]
fn security_alerts_the_ciso_on_slack_and_suspends_the_account() {
    let world = World::start();
    // The user of Okta's sample sign-in failure, as the CHU's directory has it.
    let mut signed_in = user(
        "luc-bernard.json",
        &json!({"login": "a.martin@chu-exemple.fr"}),
    );
    signed_in["id"] = json!("00uu1uuuuIlllaaaa356");
    world
        .apis
        .answer("GET", "/api/v1/users/00uu1uuuuIlllaaaa356", signed_in);
    world.apis.answer(
        "POST",
        "/slack/api/chat.postMessage",
        json!({"ok": true, "channel": "C0RSSI", "ts": "1764410000.000100"}),
    );
    world.apis.answer(
        "POST",
        "/api/v1/users/00uu1uuuuIlllaaaa356/lifecycle/suspend",
        json!({}),
    );
    let report = world.run(
        "block_foreign_signin",
        Some(example("events/signin-failure-us.json")),
        "2026-11-29T10:00:00Z",
    );
    succeeded(&report);
    assert_eq!(
        world.apis.writes(),
        [
            "POST /slack/api/chat.postMessage",
            "POST /api/v1/users/00uu1uuuuIlllaaaa356/lifecycle/suspend",
        ]
    );
    let posted = &world.apis.to("POST", "/slack/api/chat.postMessage")[0];
    assert_eq!(
        posted.body,
        json!({"channel": "#rssi-alertes", "text": "Sign-in blocked for a.martin@chu-exemple.fr from United States"})
    );
    assert_eq!(
        posted.authorization.as_deref(),
        Some(format!("Bearer {SLACK_TOKEN}").as_str())
    );
}

#[test]
fn mfa_hygiene_waits_a_day_then_resets_factors_and_mails_the_user() {
    let world = World::start();
    world.apis.answer(
        "GET",
        "/api/v1/users/00uJMARTIN000000001",
        user("jeanne-martin.json", &json!({})),
    );
    world.apis.answer(
        "GET",
        "/api/v1/users/00uJMARTIN000000001/factors",
        json!([{
            "id": "opf1pending", "factorType": "token:software:totp", "provider": "OKTA",
            "status": "PENDING_ACTIVATION", "created": "2026-09-01T07:40:00.000Z",
            "lastUpdated": "2026-09-01T07:40:00.000Z"
        }]),
    );
    world.apis.answer(
        "POST",
        "/api/v1/users/00uJMARTIN000000001/lifecycle/reset_factors",
        json!({}),
    );
    let report = world.run(
        "enforce_mfa_enrollment",
        Some(example("events/user-activated.json")),
        "2026-09-01T07:31:41Z",
    );
    succeeded(&report);
    // Nothing was read before the day had passed: the first request is the user's.
    let requests = world.apis.requests();
    assert_eq!(requests[0].path, "/api/v1/users/00uJMARTIN000000001");
    assert_eq!(
        world.apis.writes(),
        ["POST /api/v1/users/00uJMARTIN000000001/lifecycle/reset_factors"]
    );
    let mails = world.mails();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0].to, ["jeanne.martin@chu-exemple.fr"]);
    assert_eq!(
        mails[0].subject,
        "Action requise : activez la double authentification"
    );
    assert!(mails[0].body.starts_with("Bonjour Jeanne,"), "{mails:#?}");
}

#[test]
fn compliance_mails_the_inactive_accounts_of_every_page_as_csv() {
    let world = World::start();
    let users = example("tests/answers/active-users.json");
    let (first, second) = users.as_array().unwrap().split_at(3);
    world.apis.answer_page(
        "GET",
        "/api/v1/users",
        &[("filter", "status eq \"ACTIVE\"")],
        json!(first),
        Some("/api/v1/users?after=00uTMOREAU00000001&limit=200&filter=status+eq+%22ACTIVE%22"),
    );
    world.apis.answer_page(
        "GET",
        "/api/v1/users",
        &[
            ("filter", "status eq \"ACTIVE\""),
            ("after", "00uTMOREAU00000001"),
        ],
        json!(second),
        None,
    );
    let report = world.run("report_inactive_accounts", None, "2026-12-01T06:00:00Z");
    succeeded(&report);
    let pages = world.apis.to("GET", "/api/v1/users");
    assert_eq!(pages.len(), 2, "both pages are read");
    assert_eq!(pages[0].query["limit"], "200");
    let mails = world.mails();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    assert_eq!(mail.to, ["audit-interne@chu-exemple.fr"]);
    assert_eq!(mail.subject, "Comptes inactifs depuis 90 jours — 2026-12");
    // A text attachment's line ends are the transport's: SMTP sends CRLF,
    // the maildir stores LF.
    let attachments: Vec<(String, String)> = mail
        .attachments
        .iter()
        .map(|(name, content)| (name.clone(), content.replace("\r\n", "\n")))
        .collect();
    assert_eq!(
        attachments,
        [(
            "comptes-inactifs-2026-12.csv".to_owned(),
            "login,name,department,last_sign_in,created\n\
             alice.girard@chu-exemple.fr,Alice Girard,,2025-12-24,2012-09-01\n\
             sophie.noel@chu-exemple.fr,Sophie Noel,Urgences,never,2026-03-02\n\
             marc.petit@chu-exemple.fr,Marc Petit,Pharmacie,2026-07-14,2018-02-01\n"
                .to_owned()
        )]
    );
}

#[test]
fn governance_opens_a_review_task_for_an_unjustified_privileged_membership() {
    let world = World::start();
    world.apis.answer(
        "GET",
        "/api/v1/users/00uLBERNARD0000001",
        user("luc-bernard.json", &json!({})),
    );
    world.apis.answer(
        "POST",
        "/api/now/table/sc_task",
        json!({"result": {"sys_id": "9d8c7b6a55", "number": "SCTASK0010460"}}),
    );
    let report = world.run(
        "review_unjustified_privilege",
        Some(example("events/group-member-added-privileged.json")),
        "2026-10-12T14:02:10Z",
    );
    succeeded(&report);
    assert_eq!(world.apis.writes(), ["POST /api/now/table/sc_task"]);
    let task = &world.apis.to("POST", "/api/now/table/sc_task")[0];
    assert_eq!(
        task.body["short_description"],
        "Accès privilégié sans justification : luc.bernard@chu-exemple.fr dans DPI - Administrateurs"
    );
    assert_eq!(
        task.body["assignment_group"],
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    );
    assert_eq!(task.body["due_date"], "2026-10-14 14:02:09");
}

#[test]
fn temporary_practitioners_are_reminded_then_deactivated() {
    let world = World::start();
    world.apis.answer_page(
        "GET",
        "/api/v1/users",
        &[("search", "profile.endDate pr and status eq \"ACTIVE\"")],
        example("tests/answers/temporary-practitioners.json"),
        None,
    );
    world.apis.answer(
        "POST",
        "/api/v1/users/00uBFAURE000000001/lifecycle/deactivate",
        json!({}),
    );
    let report = world.run("end_temporary_access", None, "2026-12-24T05:00:00Z");
    succeeded(&report);
    assert_eq!(
        world.apis.writes(),
        ["POST /api/v1/users/00uBFAURE000000001/lifecycle/deactivate"]
    );
    let deactivation = &world.apis.to(
        "POST",
        "/api/v1/users/00uBFAURE000000001/lifecycle/deactivate",
    )[0];
    assert_eq!(deactivation.query["sendEmail"], "false");
    let mut mails: Vec<(Vec<String>, String)> = world
        .mails()
        .into_iter()
        .map(|m| (m.to, m.subject))
        .collect();
    mails.sort();
    assert_eq!(
        mails,
        [
            (
                vec!["chef.urgences@chu-exemple.fr".to_owned()],
                "Fin de contrat dans 7 jours : Dr Anne Roux".to_owned()
            ),
            (
                vec!["iam@chu-exemple.fr".to_owned()],
                "Fin de contrat dans 7 jours : Dr Denis Masson".to_owned()
            ),
        ]
    );
}

/// `idflow run` with the relay set in `idflow.toml`, as a hospital whose
/// relay listens inside its network without TLS would write it: the email
/// connector's port and security come from the connection (a number and a
/// word), its defaults (587, STARTTLS) only when the connection says nothing.
#[test]
fn idflow_run_mails_through_the_relay_idflow_toml_names() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(dir.path());
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("welcome.flow"),
        "import okta\nimport email\n\n/// Welcomes a new account's owner.\nflow welcome {\n  when okta.user_created as e\n  where e.target != null\n  then {\n    email.send(to: [\"iam@chu-exemple.fr\"], subject: \"Account created\", body: \"{e.target.first()?.displayName ?? \"someone\"}\")\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("idflow.toml"),
        format!(
            "[connections.email]\nsettings = {{ SMTP_HOST = \"127.0.0.1\", SMTP_PORT = {}, SMTP_SECURITY = \"plain\", SMTP_FROM = \"idflow <idflow@chu-exemple.fr>\" }}\n",
            smtp.port
        ),
    )
    .unwrap();
    let event = support::root().join("examples/events/user-created.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(["run", "."])
        .arg("--event")
        .arg(&event)
        .current_dir(&project)
        .env_remove("SMTP_PORT")
        .env_remove("SMTP_SECURITY")
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(0), "{printed}");
    let mails: Vec<Mail> = smtp.mails().iter().map(|m| Mail::parse(m)).collect();
    assert_eq!(mails.len(), 1, "{printed}");
    assert_eq!(mails[0].to, ["iam@chu-exemple.fr"]);
    assert_eq!(mails[0].subject, "Account created");
}
