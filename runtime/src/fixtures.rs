//! Dry runs: writes are recorded and not sent; reads are answered from
//! fixture files, so a flow can be run end to end without touching a system.
//!
//! A fixture is `DIR/<connector>.<action>.json`. Its content is the answer
//! to every call of that action — or, to answer by arguments, an object
//! `{"answers": [{"args": {…}, "returns": …}, {"args": {…}, "fails": {"status": 404, "message": "…"}}]}`
//! whose first entry whose `args` are all among the call's arguments
//! answers (an entry without `args` answers any call).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use idflow_compiler::plan::ir::Effect;
use idflow_compiler::plan::value::Value;
use serde::Deserialize;

use crate::connectors::{ActionCall, ActionError, Answer, Connectors, Delivery};

/// One answer of a fixture file.
#[derive(Clone, Debug, Deserialize)]
struct FixtureAnswer {
    #[serde(default)]
    args: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    returns: Option<serde_json::Value>,
    #[serde(default)]
    fails: Option<Failure>,
}

#[derive(Clone, Debug, Deserialize)]
struct Failure {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    message: String,
}

/// Why a fixture directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// A file that could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// The dry-run connectors, with the fixtures of a directory.
#[derive(Clone, Debug, Default)]
pub struct DryRun {
    dir: Option<PathBuf>,
    /// `connector.action` → answers.
    answers: BTreeMap<String, Vec<FixtureAnswer>>,
}

impl DryRun {
    /// Dry-run connectors answering reads from `dir` (none: every read fails
    /// for want of a fixture).
    pub fn new(dir: Option<&Path>) -> Result<Self, FixtureError> {
        let mut dry_run = DryRun {
            dir: dir.map(Path::to_path_buf),
            answers: BTreeMap::new(),
        };
        let Some(dir) = dir else { return Ok(dry_run) };
        let read_error = |path: &Path, message: String| FixtureError::Read {
            path: path.to_path_buf(),
            message,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| read_error(dir, e.to_string()))?;
        for entry in entries {
            let path = entry.map_err(|e| read_error(dir, e.to_string()))?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            if !name.contains('.') {
                continue;
            }
            let text = idflow_files::read_text(&path, idflow_files::MAX_JSON_BYTES)
                .map_err(|e| read_error(&path, e.to_string()))?;
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| read_error(&path, e.to_string()))?;
            let answers = match json.get("answers") {
                Some(list) if json.as_object().is_some_and(|o| o.len() == 1) => {
                    serde_json::from_value(list.clone())
                        .map_err(|e| read_error(&path, e.to_string()))?
                }
                _ => vec![FixtureAnswer {
                    args: serde_json::Map::new(),
                    returns: Some(json),
                    fails: None,
                }],
            };
            dry_run.answers.insert(name.to_owned(), answers);
        }
        Ok(dry_run)
    }

    /// The answer a fixture gives to a call, if one does.
    fn answer(&self, call: &ActionCall) -> Option<&FixtureAnswer> {
        let args: serde_json::Map<String, serde_json::Value> = call
            .args
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect();
        self.answers
            .get(&call.name())?
            .iter()
            .find(|a| a.args.iter().all(|(k, v)| args.get(k) == Some(v)))
    }
}

impl Connectors for DryRun {
    async fn call(&self, call: &ActionCall) -> Answer {
        let delivery = if call.effect == Effect::Read {
            Delivery::Fixture
        } else {
            Delivery::NotSent
        };
        Answer::once(self.result(call), delivery)
    }
}

impl DryRun {
    /// What a fixture answers to a call.
    fn result(&self, call: &ActionCall) -> Result<Value, ActionError> {
        match self.answer(call) {
            Some(FixtureAnswer {
                fails: Some(failure),
                ..
            }) => Err(match failure.status {
                Some(status) => ActionError::Status {
                    action: call.name(),
                    status,
                    message: failure.message.clone(),
                },
                None => ActionError::Failed {
                    action: call.name(),
                    message: failure.message.clone(),
                },
            }),
            Some(answer) => Ok(answer
                .returns
                .as_ref()
                .map_or(Value::Null, Value::from_json)),
            None if call.effect != Effect::Read => Ok(Value::Null),
            None => Err(ActionError::Failed {
                action: call.name(),
                message: match &self.dir {
                    Some(dir) => format!(
                        "a dry run answers reads from fixtures, and there is none: add {}",
                        dir.join(format!("{}.json", call.name())).display()
                    ),
                    None => {
                        "a dry run answers reads from fixtures: give a directory with --fixtures"
                            .to_owned()
                    }
                },
            }),
        }
    }
}
