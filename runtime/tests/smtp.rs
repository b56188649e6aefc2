//! The email connector against a real SMTP server: `aiosmtpd` (PyPI,
//! installed by `.ci/run`), started on 127.0.0.1 by the test. A compliance
//! flow mails a CSV report as an attachment; the test reads the mail the
//! server stored.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a server that does not start, or a mail that does not arrive, fails it"
)]

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use idflow_runtime::engines::Engines;
use idflow_runtime::executor::{Executor, RunStatus};
use idflow_runtime::http::Settings;
use idflow_runtime::trace::Redactor;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(maildir: &std::path::Path) -> (Server, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (`pip install aiosmtpd`, as .ci/run does)");
    listening(child, port, "aiosmtpd")
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server `child` once it accepts connections on `port`, within 20 s.
fn listening(child: Child, port: u16, what: &str) -> (Server, u16) {
    let server = Server(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}

const REPORT: &str = r#"import email

/// Where the compliance report goes.
config audit_mailbox: String = "audit@chu-exemple.fr"

/// Mails the month's list of dormant accounts, as CSV, to the audit mailbox.
flow dormant_report {
  when schedule "0 7 1 * *" tz "Europe/Paris"
  then {
    let rows = [{ login: "a.martin@chu-exemple.fr", last: "2026-05-02" }, { login: "b.roux@chu-exemple.fr", last: "never" }]
    email.send(
      to: [audit_mailbox],
      subject: "Dormant accounts",
      body: "{rows.len()} accounts have not signed in for 90 days.",
      attachments: [{ filename: "dormant.csv", content_type: "text/csv", content: csv.encode(rows) }],
    )
  }
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_email_connector_sends_a_csv_report_with_its_attachment() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let (_server, port) = start(&maildir);
    let mut sources = SourceMap::new();
    sources.add("report.flow", REPORT);
    let plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    // The local server speaks plain SMTP on its own port: the connection
    // says so, as an `idflow.toml` would.
    let settings = Settings {
        values: [
            ("SMTP_HOST".to_owned(), "127.0.0.1".to_owned()),
            ("SMTP_PORT".to_owned(), port.to_string()),
            ("SMTP_SECURITY".to_owned(), "plain".to_owned()),
            (
                "SMTP_FROM".to_owned(),
                "idflow <idflow@chu-exemple.fr>".to_owned(),
            ),
        ]
        .into(),
        secrets: BTreeMap::new(),
        base_urls: BTreeMap::new(),
        configs: BTreeMap::new(),
    };
    let engines = Engines::new(&plan, &settings, Duration::from_secs(10)).unwrap();
    let configs = BTreeMap::new();
    let executor = Executor::new(&plan, &engines, &configs, Redactor::default(), 0, false);
    let report = executor.run(plan.flows.first().unwrap(), None).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let started = Instant::now();
    let mail = loop {
        let stored: Vec<_> = std::fs::read_dir(maildir.join("new"))
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        if let Some(entry) = stored.first() {
            break std::fs::read_to_string(entry.path()).unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no mail arrived"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(mail.contains("Subject: Dormant accounts"), "{mail}");
    assert!(mail.contains("To: audit@chu-exemple.fr"), "{mail}");
    assert!(
        mail.contains("2 accounts have not signed in for 90 days."),
        "{mail}"
    );
    assert!(mail.contains("filename=\"dormant.csv\""), "{mail}");
    assert!(
        mail.contains("login,last\r\na.martin@chu-exemple.fr,2026-05-02")
            || mail.contains("login,last\na.martin@chu-exemple.fr,2026-05-02"),
        "{mail}"
    );
}

/// An `aiosmtpd` server whose DATA answers are scripted: each of `replies`
/// in turn (`451 …` or `550 …`), then 250, appending each mail it takes to
/// `taken`.
fn start_scripted(replies: &[&str], taken: &std::path::Path) -> (Server, u16) {
    let port = free_port();
    let script = r#"
import sys, time
from aiosmtpd.controller import Controller
replies = sys.argv[3:]
class Scripted:
    async def handle_DATA(self, server, session, envelope):
        if replies:
            return replies.pop(0)
        with open(sys.argv[2], 'ab') as taken:
            taken.write(envelope.content + b'\n--\n')
        return '250 OK'
Controller(Scripted(), hostname='127.0.0.1', port=int(sys.argv[1])).start()
while True:
    time.sleep(3600)
"#;
    let child = Command::new("python3")
        .args(["-u", "-c", script, &port.to_string()])
        .arg(taken)
        .args(replies)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd");
    listening(child, port, "the scripted SMTP server")
}

/// The report flow's engines against `port`, with the stdlib's retry
/// policy shortened to milliseconds (its attempts kept).
fn engines_on(port: u16) -> (idflow_compiler::plan::ir::Plan, Engines) {
    let mut sources = SourceMap::new();
    sources.add("report.flow", REPORT);
    let mut plan = idflow_compiler::plan::build(&Project::new(sources), &BTreeMap::new()).unwrap();
    for connector in &mut plan.connectors {
        if let Some(retry) = &mut connector.retry {
            retry.min_backoff_ms = 10;
            retry.max_backoff_ms = 40;
        }
    }
    let settings = Settings {
        values: [
            ("SMTP_HOST".to_owned(), "127.0.0.1".to_owned()),
            ("SMTP_PORT".to_owned(), port.to_string()),
            ("SMTP_SECURITY".to_owned(), "plain".to_owned()),
            ("SMTP_FROM".to_owned(), "idflow@chu-exemple.fr".to_owned()),
        ]
        .into(),
        ..Settings::default()
    };
    let engines = Engines::new(&plan, &settings, Duration::from_secs(10)).unwrap();
    (plan, engines)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transient_reply_is_retried_as_the_connector_says_and_a_permanent_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let taken = dir.path().join("taken");
    let (_server, port) =
        start_scripted(&["451 4.3.0 Try again later", "421 4.7.0 Too busy"], &taken);
    let (plan, engines) = engines_on(port);
    let configs = BTreeMap::new();
    let executor = Executor::new(&plan, &engines, &configs, Redactor::default(), 0, false);
    let report = executor.run(plan.flows.first().unwrap(), None).await;
    assert_eq!(report.status, RunStatus::Succeeded, "{report:#?}");
    let send = report
        .trace
        .iter()
        .find(|t| t.what == "email.send")
        .unwrap();
    let statuses: Vec<Option<u16>> = send.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(451), Some(421), Some(250)]);
    let mails = std::fs::read_to_string(&taken).unwrap();
    assert_eq!(mails.matches("Subject: Dormant accounts").count(), 1);

    let refused = dir.path().join("refused");
    let (_server, port) = start_scripted(&["550 5.1.1 No such mailbox"], &refused);
    let (plan, engines) = engines_on(port);
    let executor = Executor::new(&plan, &engines, &configs, Redactor::default(), 0, false);
    let report = executor.run(plan.flows.first().unwrap(), None).await;
    assert!(
        matches!(report.status, RunStatus::Failed { .. }),
        "{report:#?}"
    );
    let send = report
        .trace
        .iter()
        .find(|t| t.what == "email.send")
        .unwrap();
    assert_eq!(send.attempts.len(), 1, "a 5xx is not retried");
    assert_eq!(send.attempts[0].status, Some(550));
}
