//! The live connectors of a plan: the SMTP engine for `email`, the HTTP
//! engine for every connector with HTTP mappings.

use std::time::Duration;

use idflow_compiler::plan::ir::Plan;

use crate::connectors::{ActionCall, Answer, Connectors};
use crate::http::{ConnectionError, HttpConnectors, Settings};
use crate::smtp::Smtp;

/// Every engine a plan's flows need.
pub struct Engines {
    http: HttpConnectors,
    email: Option<Smtp>,
}

impl Engines {
    /// Connects the plan's connectors.
    pub fn new(
        plan: &Plan,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Self, ConnectionError> {
        let email = plan
            .connectors
            .iter()
            .find(|c| c.name == "email")
            .map(|c| Smtp::new(c, settings, timeout))
            .transpose()?;
        Ok(Engines {
            http: HttpConnectors::new(plan, settings, timeout)?,
            email,
        })
    }
}

impl Engines {
    /// Why `connector` has no connection, when it has none (a connector
    /// only triggers use, whose settings are missing).
    pub fn unconnected(&self, connector: &str) -> Option<&ConnectionError> {
        self.http.unconnected(connector)
    }
}

impl Connectors for Engines {
    async fn call(&self, call: &ActionCall) -> Answer {
        match (&self.email, call.connector.as_str()) {
            (Some(email), "email") => email.call(call).await,
            _ => self.http.call(call).await,
        }
    }
}
