//! The email connector: mail over SMTP with lettre — STARTTLS (the
//! default), implicit TLS, or plain for a local server — with a plain-text
//! body, an optional HTML alternative, and attachments.

use std::time::Duration;

use idflow_compiler::plan::ir::{Auth, ConnectorPlan, Retry};
use idflow_compiler::plan::value::Value;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::connectors::{ActionCall, ActionError, Answer, Attempt, Delivery};
use crate::http::{ConnectionError, Settings, resolve};
use crate::retry::{backoff, effective_retry, millis};

/// An SMTP connection, ready to send.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The connector's `retry` policy (a call's own replaces it): a
    /// transient (4xx) reply is tried again after its backoff; none, one
    /// try.
    retry: Option<Retry>,
}

impl Smtp {
    /// Connects the `email` connector of a plan: its `host`, `port`,
    /// `security` and `from` settings, and its credentials when both the
    /// user and the password are set (a local test server needs none).
    pub fn new(
        plan: &ConnectorPlan,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Self, ConnectionError> {
        let setting = |key: &str| -> Result<Option<String>, ConnectionError> {
            plan.settings
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, source)| resolve(source, settings, &plan.name))
                .transpose()
        };
        let invalid = |what: &str, message: String| {
            ConnectionError::Client(format!("connector `{}`: {what}: {message}", plan.name))
        };
        let host = setting("host")?.unwrap_or_default();
        let port: u16 = match setting("port")? {
            Some(port) => port
                .parse()
                .map_err(|_| invalid("port", format!("{port:?} is not a port")))?,
            None => 587,
        };
        let security = setting("security")?.unwrap_or_else(|| "starttls".to_owned());
        let from: Mailbox = setting("from")?
            .unwrap_or_default()
            .parse()
            .map_err(|e| invalid("from", format!("{e}")))?;
        let mut builder = match security.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
                .map_err(|e| invalid("host", e.to_string()))?,
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&host)
                .map_err(|e| invalid("host", e.to_string()))?,
            "plain" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host),
            other => {
                return Err(invalid(
                    "security",
                    format!("{other:?} is not starttls, tls or plain"),
                ));
            }
        }
        .port(port)
        .timeout(Some(timeout));
        if let Some(Auth::Basic { user, password }) = &plan.auth
            && let (Ok(user), Ok(password)) = (
                resolve(user, settings, &plan.name),
                resolve(password, settings, &plan.name),
            )
        {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
            retry: plan.retry.clone(),
        })
    }

    /// Runs `email.send`. A transient reply (4xx: the server is busy, the
    /// mailbox is over quota for now, greylisting) means the mail was not
    /// taken: it is sent again as the connector's `retry` policy says, with
    /// its backoff. A permanent reply (5xx) or any other failure is not
    /// retried: the server may have taken the mail.
    pub async fn call(&self, call: &ActionCall) -> Answer {
        let message = match self.message(call) {
            Ok(message) => message,
            Err(error) => return Answer::once(Err(error), Delivery::Sent),
        };
        let retry = effective_retry(self.retry.as_ref(), call.retry.as_ref());
        let mut attempts = Vec::new();
        let mut tries = 0;
        loop {
            tries += 1;
            let sent = self.transport.send(message.clone()).await;
            let error = match sent {
                Ok(response) => {
                    if !attempts.is_empty() {
                        attempts.push(Attempt {
                            status: Some(u16::from(response.code())),
                            error: None,
                            retry_after_ms: None,
                        });
                    }
                    let text = response.message().collect::<Vec<_>>().join(" ");
                    return Answer {
                        result: Ok(Value::String(text)),
                        delivery: Delivery::Sent,
                        attempts,
                    };
                }
                Err(error) => error,
            };
            let code = error.status().map(u16::from);
            let retried = error.is_transient() && tries <= retry.attempts;
            let wait = retried.then(|| backoff(&retry, tries));
            attempts.push(Attempt {
                status: code,
                error: code.is_none().then(|| error.to_string()),
                retry_after_ms: wait.map(millis),
            });
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => {
                    return Answer {
                        result: Err(ActionError::Failed {
                            action: call.name(),
                            message: error.to_string(),
                        }),
                        delivery: Delivery::Sent,
                        attempts,
                    };
                }
            }
        }
    }

    fn message(&self, call: &ActionCall) -> Result<Message, ActionError> {
        let fail = |message: String| ActionError::Failed {
            action: call.name(),
            message,
        };
        if call.action != "send" {
            return Err(fail(format!(
                "the email connector has no action `{}`",
                call.action
            )));
        }
        let arg = |name: &str| call.args.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let text = |name: &str| match arg(name) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let addresses = |name: &str| -> Vec<String> {
            match arg(name) {
                Some(Value::List(items)) => items.iter().map(Value::to_string).collect(),
                _ => Vec::new(),
            }
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(text("subject").unwrap_or_default());
        for to in addresses("to") {
            builder = builder.to(to.parse().map_err(|e| fail(format!("`to` {to:?}: {e}")))?);
        }
        for cc in addresses("cc") {
            builder = builder.cc(cc.parse().map_err(|e| fail(format!("`cc` {cc:?}: {e}")))?);
        }
        let body = text("body").unwrap_or_default();
        let content = match text("html") {
            Some(html) => MultiPart::alternative_plain_html(body, html),
            None => MultiPart::mixed().singlepart(SinglePart::plain(body)),
        };
        let mut mixed = MultiPart::mixed().multipart(content);
        if let Some(Value::List(attachments)) = arg("attachments") {
            for attachment in attachments {
                let Value::Record(fields) = attachment else {
                    continue;
                };
                let field = |name: &str| fields.get(name).map(Value::to_string).unwrap_or_default();
                let content_type = ContentType::parse(&field("content_type"))
                    .map_err(|e| fail(format!("attachment {:?}: {e}", field("filename"))))?;
                mixed = mixed.singlepart(
                    Attachment::new(field("filename")).body(field("content"), content_type),
                );
            }
        }
        builder.multipart(mixed).map_err(|e| fail(e.to_string()))
    }
}
