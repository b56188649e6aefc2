//! The real third-party servers the reference project's flows talk to,
//! started on 127.0.0.1 for one test: `scim2-server` (PyPI) as the clinical
//! records application's SCIM 2.0 endpoint, and `aiosmtpd` (PyPI) as the
//! mail relay, storing what it receives in a maildir. `.ci/run` installs both.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mail_parser::MimeHeaders as _;
use serde_json::Value as Json;

/// The bearer token the SCIM server requires.
pub const SCIM_TOKEN: &str = "scim-token-for-the-reference-tests";

/// A child process, stopped when the test ends.
pub struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn wait_until_listening(port: u16, what: &str) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `scim2-server`, with an empty store.
pub struct Scim {
    _process: Process,
    /// Its SCIM root: `http://127.0.0.1:PORT/v2`.
    pub base: String,
}

impl Scim {
    /// Starts it.
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("scim2-server")
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
            .args(["--bearer-token", SCIM_TOKEN])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scim2-server is installed (`pip install scim2-server`, as .ci/run does)");
        let process = Process(child);
        wait_until_listening(port, "scim2-server");
        Scim {
            _process: process,
            base: format!("http://127.0.0.1:{port}/v2"),
        }
    }

    async fn request(&self, method: reqwest::Method, path: &str, body: Option<&Json>) -> Json {
        let client = reqwest::Client::new();
        let mut request = client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(SCIM_TOKEN)
            .header("content-type", "application/scim+json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.expect("the SCIM server answers");
        response.json().await.expect("the SCIM server answers JSON")
    }

    /// Creates a user directly, as an account that existed before the flows.
    pub async fn create(&self, user: &Json) -> Json {
        self.request(reqwest::Method::POST, "/Users", Some(user))
            .await
    }

    /// The user whose `userName` is `login`, if any.
    pub async fn find(&self, login: &str) -> Option<Json> {
        let filter = format!("userName eq \"{login}\"");
        let client = reqwest::Client::new();
        let found: Json = client
            .get(format!("{}/Users", self.base))
            .query(&[("filter", filter)])
            .bearer_auth(SCIM_TOKEN)
            .send()
            .await
            .expect("the SCIM server answers")
            .json()
            .await
            .expect("the SCIM server answers JSON");
        found["Resources"].as_array()?.first().cloned()
    }

    /// The user with this id.
    pub async fn get(&self, id: &str) -> Json {
        self.request(reqwest::Method::GET, &format!("/Users/{id}"), None)
            .await
    }
}

/// `aiosmtpd`, storing each mail in a maildir.
pub struct Smtp {
    _process: Process,
    /// Its port.
    pub port: u16,
    maildir: PathBuf,
}

impl Smtp {
    /// Starts it, its maildir under `dir`.
    pub fn start(dir: &Path) -> Self {
        let port = free_port();
        let maildir = dir.join("mail");
        let child = Command::new("python3")
            .args(["-u", "-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (`pip install aiosmtpd`, as .ci/run does)");
        let process = Process(child);
        wait_until_listening(port, "aiosmtpd");
        Smtp {
            _process: process,
            port,
            maildir,
        }
    }

    /// The mails received, as raw messages. The flows have finished when
    /// this is read, and the server stores a mail before it acknowledges it.
    pub fn mails(&self) -> Vec<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> =
            std::fs::read_dir(self.maildir.join("new"))
                .map(|d| d.flatten().collect::<Vec<_>>())
                .unwrap_or_default()
                .iter()
                .filter_map(|e| {
                    let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                    Some((modified, std::fs::read_to_string(e.path()).ok()?))
                })
                .collect();
        mails.sort();
        mails.into_iter().map(|(_, mail)| mail).collect()
    }
}

/// A mail, parsed: who it goes to, its subject, its text and its attachments.
#[derive(Debug)]
pub struct Mail {
    /// The `To` addresses.
    pub to: Vec<String>,
    /// The decoded subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// Attachments: file name and content.
    pub attachments: Vec<(String, String)>,
}

impl Mail {
    /// Parses a raw message.
    pub fn parse(raw: &str) -> Self {
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .expect("a mail that parses");
        let to = message
            .to()
            .map(|to| {
                to.iter()
                    .filter_map(|a| a.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let attachments = message
            .attachments()
            .map(|a| {
                (
                    a.attachment_name().unwrap_or_default().to_owned(),
                    String::from_utf8_lossy(a.contents()).into_owned(),
                )
            })
            .collect();
        Mail {
            to,
            subject: message.subject().unwrap_or_default().to_owned(),
            body: message
                .body_text(0)
                .map(|b| b.into_owned())
                .unwrap_or_default(),
            attachments,
        }
    }
}
