//! The audit log: every flow version deployed, every run concluded and every
//! action it sent, appended to a hash chain in the store. Each record's hash
//! covers its place in the log, its time, its kind, its content and the
//! hash of the record before it, so changing a byte of a record, removing
//! one or putting two in another order breaks the chain at the first record
//! touched — which [`verify`] names.
//!
//! A plain chain (SHA-256) shows tampering by anyone who does not rewrite
//! it whole; anyone who can write the store can. Two defences, together:
//!
//! - a **keyed chain**: with an audit key (HMAC-SHA256, the key from the
//!   environment or a file, never in the store), each record is sealed
//!   with the key (its hash written `hmac-sha256:…`); without the key a
//!   record cannot be forged, and once records are keyed an unkeyed one
//!   after them is a downgrade, named as such;
//! - an **anchor**: a hash published elsewhere (the last line of
//!   yesterday's export, a ticket, the CI log) that the chain must still
//!   pass through (`idflow audit verify --anchor HASH`): every record up
//!   to it is then as it was when it was published, and records cut from
//!   the end since are seen as a missing anchor.

use hmac::{KeyInit, Mac};
use serde::Serialize;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use crate::executor::{RunReport, RunStatus};
use crate::trace::{StepStatus, TraceEntry};

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One record of the log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRecord {
    /// Its place in the log, from 1.
    pub seq: i64,
    /// When it was written, in milliseconds since the epoch.
    pub at_ms: i64,
    /// `version`, `run` or `action`.
    pub kind: String,
    /// What it says, as JSON.
    pub data: Json,
    /// The content exactly as stored: what the hash covers.
    #[serde(skip)]
    pub text: String,
    /// The hash of the record before it ([`GENESIS`] for the first).
    pub prev: String,
    /// Its own hash.
    pub hash: String,
}

/// Who deployed a flow version, from git when the project is a repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The last commit's author: `Name <email>`.
    pub author: Option<String>,
    /// The last commit's id.
    pub commit: Option<String>,
    /// Whether the flows differ from that commit.
    pub uncommitted: bool,
}

/// A record to append: its kind and its content.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRecord {
    /// `version`, `run` or `action`.
    pub kind: &'static str,
    /// What it says.
    pub data: Json,
}

/// The hash of a record: SHA-256, in hexadecimal, of its fields one per
/// line, its content as the JSON text stored.
pub fn hash(seq: i64, at_ms: i64, kind: &str, text: &str, prev: &str) -> String {
    hex::encode(Sha256::digest(
        fields(seq, at_ms, kind, text, prev).as_bytes(),
    ))
}

/// What a record's hash covers.
fn fields(seq: i64, at_ms: i64, kind: &str, text: &str, prev: &str) -> String {
    format!("{seq}\n{at_ms}\n{kind}\n{text}\n{prev}")
}

/// How a keyed record's hash is written.
pub const KEYED: &str = "hmac-sha256:";

/// The key that seals the chain (not `Debug`: it is a secret).
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl AuditKey {
    /// A key of these bytes; none when they are empty (an empty key seals
    /// nothing anyone could not forge).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Option<Self> {
        let bytes = bytes.into();
        (!bytes.is_empty()).then_some(AuditKey(bytes))
    }

    fn mac(&self, seq: i64, at_ms: i64, kind: &str, text: &str, prev: &str) -> Option<String> {
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.0).ok()?;
        mac.update(fields(seq, at_ms, kind, text, prev).as_bytes());
        Some(format!(
            "{KEYED}{}",
            hex::encode(mac.finalize().into_bytes())
        ))
    }
}

/// The hash a new record is written with: sealed with the key when there
/// is one, plain SHA-256 otherwise.
pub fn seal(
    key: Option<&AuditKey>,
    seq: i64,
    at_ms: i64,
    kind: &str,
    text: &str,
    prev: &str,
) -> String {
    key.and_then(|key| key.mac(seq, at_ms, kind, text, prev))
        .unwrap_or_else(|| hash(seq, at_ms, kind, text, prev))
}

/// The record of a plan deployed by the service — at its start, at each
/// reload, and on a return to a plan deployed before (a rollback): every
/// deployment, with the flow versions it put in service.
pub fn deploy(plan_id: &str, versions: &[(String, String)], provenance: &Provenance) -> NewRecord {
    let flows: Vec<Json> = versions
        .iter()
        .map(|(flow, version)| json!({ "flow": flow, "version": version }))
        .collect();
    NewRecord {
        kind: "deploy",
        data: json!({
            "plan": plan_id,
            "flows": flows,
            "author": provenance.author,
            "commit": provenance.commit,
            "uncommitted": provenance.uncommitted,
        }),
    }
}

/// The record of a flow version first seen: by the service when it
/// deploys a plan, or by `idflow run`.
pub fn version(flow: &str, version: &str, provenance: &Provenance) -> NewRecord {
    NewRecord {
        kind: "version",
        data: json!({
            "flow": flow,
            "version": version,
            "author": provenance.author,
            "commit": provenance.commit,
            "uncommitted": provenance.uncommitted,
        }),
    }
}

/// The records of a concluded run: the run, then each action it sent or
/// tried, in order, with its arguments as the trace shows them (secrets
/// already masked). A run concluded before (a failed run retried) has had
/// the actions it replays from its journal audited already: they are left
/// out, so each action sent is audited once. A run that waited was not
/// audited while it waited: what it replays is audited at its end.
///
/// A dry run sent nothing: it is recorded as a run marked `dry_run`, with
/// the number of actions it only showed (`not_sent`), and no `action`
/// record — the log's actions are the ones that reached a system.
pub fn run(
    run_id: &str,
    report: &RunReport,
    event_id: Option<&str>,
    dry_run: bool,
    concluded_before: bool,
) -> Vec<NewRecord> {
    let (status, detail) = match &report.status {
        RunStatus::Succeeded => ("succeeded", None),
        RunStatus::Stopped { reason } => ("stopped", reason.clone()),
        RunStatus::Failed { error } => ("failed", Some(error.clone())),
        RunStatus::Waiting { on, .. } => ("waiting", Some(on.clone())),
    };
    let mut data = json!({
        "run": run_id,
        "flow": report.flow,
        "version": report.version,
        "event": event_id,
        "status": status,
        "detail": detail,
        "dry_run": dry_run,
    });
    if dry_run {
        let shown = report.trace.iter().filter(|e| e.input.is_some()).count();
        if let Some(fields) = data.as_object_mut() {
            fields.insert("not_sent".to_owned(), json!(shown));
        }
        return vec![NewRecord { kind: "run", data }];
    }
    let mut records = vec![NewRecord { kind: "run", data }];
    // Only what reached a system: never a step a dry run or a fixture
    // answered, whatever the caller says.
    let sent = |status: StepStatus| {
        matches!(
            status,
            StepStatus::Ok | StepStatus::Failed | StepStatus::Replayed
        )
    };
    let audited = |entry: &&TraceEntry| {
        entry.input.is_some()
            && sent(entry.status)
            && !(concluded_before && entry.status == StepStatus::Replayed)
    };
    for entry in report.trace.iter().filter(audited) {
        let status = serde_json::to_value(entry.status).unwrap_or(Json::Null);
        records.push(NewRecord {
            kind: "action",
            data: json!({
                "run": run_id,
                "step": entry.step,
                "action": entry.what,
                "status": status,
                "input": entry.input,
                "error": entry.error,
                "dry_run": dry_run,
            }),
        });
    }
    records
}

/// What [`verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is in place: how many, and the last one's hash.
    Intact {
        /// The number of records.
        count: u64,
        /// The head's hash (the genesis value for an empty log).
        head: String,
        /// How many records are sealed with the key.
        keyed: u64,
        /// Where the anchor asked for was found, if one was.
        anchor: Option<u64>,
    },
    /// The records are in place, but the anchor asked for is not among
    /// them: the records up to it were rewritten, or cut from the end.
    AnchorMissing {
        /// The number of records.
        count: u64,
    },
    /// Records are sealed with a key and none was given.
    KeyNeeded {
        /// The first keyed record.
        seq: i64,
    },
    /// The first record that is not what the chain says it must be.
    Broken {
        /// Its place in the log as stored, from 1.
        position: u64,
        /// The place it claims.
        seq: i64,
        /// What is wrong.
        why: String,
    },
}

/// Walks the log in order and names the first record that was changed,
/// that follows a removed one, or that is out of its place.
pub fn verify(records: impl IntoIterator<Item = AuditRecord>) -> Verdict {
    let mut chain = ChainCheck::default();
    for record in records {
        if !chain.check(&record) {
            break;
        }
    }
    chain.verdict()
}

/// Why a record's hash does not hold.
enum HashProblem {
    /// It is wrong: why.
    Wrong(String),
    /// It is sealed with a key, and there is none to check it with.
    KeyNeeded,
}

/// [`verify`] one record at a time, so a log read from a cursor is checked
/// without holding it all in memory.
pub struct ChainCheck {
    /// The hash the next record must follow.
    prev: String,
    /// The records checked.
    count: u64,
    /// The keyed records among them.
    keyed: u64,
    /// The key keyed records are checked with.
    key: Option<AuditKey>,
    /// The hash the chain must pass through, and where it did.
    anchor: Option<(String, Option<u64>)>,
    /// The first bad record, once found.
    broken: Option<Verdict>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            prev: GENESIS.to_owned(),
            count: 0,
            keyed: 0,
            key: None,
            anchor: None,
            broken: None,
        }
    }
}

impl ChainCheck {
    /// A check of keyed records with `key`, and that the chain passes
    /// through `anchor`.
    pub fn new(key: Option<AuditKey>, anchor: Option<String>) -> Self {
        ChainCheck {
            key,
            anchor: anchor.map(|hash| (hash.trim().to_owned(), None)),
            ..ChainCheck::default()
        }
    }

    /// Whether a record's hash is what it must be: `Ok`, or why not — a
    /// broken record, or a keyed one and no key to check it with.
    fn check_hash(&mut self, record: &AuditRecord) -> Result<(), HashProblem> {
        let (seq, at_ms, kind, text, prev) = (
            record.seq,
            record.at_ms,
            record.kind.as_str(),
            record.text.as_str(),
            record.prev.as_str(),
        );
        let wrong = |why: &str| Err(HashProblem::Wrong(why.to_owned()));
        if record.hash.starts_with(KEYED) {
            let Some(key) = &self.key else {
                return Err(HashProblem::KeyNeeded);
            };
            self.keyed += 1;
            if key.mac(seq, at_ms, kind, text, prev).as_deref() != Some(&record.hash) {
                return wrong(
                    "its content does not match its keyed hash: it was modified or forged, or the key is not the one it was sealed with",
                );
            }
        } else if self.keyed > 0 {
            return wrong(
                "it is not sealed with the key, though records before it are: a record forged without the key",
            );
        } else if hash(seq, at_ms, kind, text, prev) != record.hash {
            return wrong(
                "its content does not match its hash: it was modified, or moved from another place",
            );
        }
        Ok(())
    }

    /// Checks the next record; false once the chain is broken, when the
    /// records after it need not be read.
    pub fn check(&mut self, record: &AuditRecord) -> bool {
        if self.broken.is_some() {
            return false;
        }
        self.count += 1;
        let expected_seq = i64::try_from(self.count).unwrap_or(i64::MAX);
        let why = match self.check_hash(record) {
            Err(HashProblem::KeyNeeded) => {
                self.broken = Some(Verdict::KeyNeeded { seq: record.seq });
                return false;
            }
            Err(HashProblem::Wrong(why)) => why,
            Ok(()) if record.seq != expected_seq => format!(
                "it claims place {} but stands at place {expected_seq}: records before it were removed or reordered",
                record.seq
            ),
            Ok(()) if record.prev != self.prev => {
                "it does not follow the record before it: a record was removed, inserted or moved"
                    .to_owned()
            }
            Ok(()) => {
                self.prev.clone_from(&record.hash);
                if let Some((anchor, found @ None)) = &mut self.anchor
                    && *anchor == record.hash
                {
                    *found = Some(self.count);
                }
                return true;
            }
        };
        self.broken = Some(Verdict::Broken {
            position: self.count,
            seq: record.seq,
            why,
        });
        false
    }

    /// What the records checked so far show.
    pub fn verdict(self) -> Verdict {
        if let Some(broken) = self.broken {
            return broken;
        }
        let anchor = match self.anchor {
            Some((_, None)) => return Verdict::AnchorMissing { count: self.count },
            Some((_, found)) => found,
            None => None,
        };
        Verdict::Intact {
            count: self.count,
            head: self.prev,
            keyed: self.keyed,
            anchor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let data = json!({"run": format!("r{seq}"), "status": "succeeded"});
                let text = data.to_string();
                let hash = hash(seq, 1000 + seq, "run", &text, &prev);
                let record = AuditRecord {
                    seq,
                    at_ms: 1000 + seq,
                    kind: "run".to_owned(),
                    data,
                    text,
                    prev: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                record
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_is_intact_and_gives_its_head() {
        let records = chain(5);
        let head = records[4].hash.clone();
        assert_eq!(
            verify(records),
            Verdict::Intact {
                count: 5,
                head,
                keyed: 0,
                anchor: None
            }
        );
        assert_eq!(
            verify(Vec::new()),
            Verdict::Intact {
                count: 0,
                head: GENESIS.to_owned(),
                keyed: 0,
                anchor: None
            }
        );
    }

    #[test]
    fn a_changed_removed_or_moved_record_is_named() {
        let mut changed = chain(5);
        changed[2].text = changed[2].text.replace("succeeded", "failed");
        assert!(matches!(
            verify(changed),
            Verdict::Broken {
                position: 3,
                seq: 3,
                ..
            }
        ));
        let mut removed = chain(5);
        removed.remove(1);
        assert!(matches!(
            verify(removed),
            Verdict::Broken {
                position: 2,
                seq: 3,
                ..
            }
        ));
        let mut swapped = chain(5);
        swapped.swap(1, 3);
        assert!(matches!(
            verify(swapped),
            Verdict::Broken {
                position: 2,
                seq: 4,
                ..
            }
        ));
    }

    /// A chain of `n` records, the first `plain` of them unkeyed, the rest
    /// sealed with `key`.
    fn sealed_chain(n: i64, plain: i64, key: &AuditKey) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let data = json!({"run": format!("r{seq}")});
                let text = data.to_string();
                let sealed_with = (seq > plain).then_some(key);
                let hash = seal(sealed_with, seq, 7, "run", &text, &prev);
                AuditRecord {
                    seq,
                    at_ms: 7,
                    kind: "run".to_owned(),
                    data,
                    text,
                    prev: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                }
            })
            .collect()
    }

    fn check(records: &[AuditRecord], key: Option<AuditKey>, anchor: Option<&str>) -> Verdict {
        let mut chain = ChainCheck::new(key, anchor.map(str::to_owned));
        records.iter().all(|r| chain.check(r));
        chain.verdict()
    }

    #[test]
    fn a_keyed_chain_needs_its_key_and_refuses_a_downgrade() {
        let key = AuditKey::new(b"k".to_vec()).unwrap();
        let records = sealed_chain(4, 1, &key);
        assert!(records[1].hash.starts_with(KEYED));
        assert!(matches!(
            check(&records, Some(key.clone()), None),
            Verdict::Intact {
                count: 4,
                keyed: 3,
                ..
            }
        ));
        assert_eq!(check(&records, None, None), Verdict::KeyNeeded { seq: 2 });
        let other = AuditKey::new(b"guess".to_vec());
        assert!(matches!(
            check(&records, other, None),
            Verdict::Broken { position: 2, .. }
        ));
        // Record 3 rewritten with a plain hash, the rest chained after it.
        let mut forged = records.clone();
        forged[2].hash = hash(3, 7, "run", &forged[2].text, &forged[2].prev);
        assert!(matches!(
            check(&forged, Some(key), None),
            Verdict::Broken { position: 3, ref why, .. } if why.contains("not sealed with the key")
        ));
    }

    #[test]
    fn an_anchor_must_be_in_the_chain() {
        let records = chain(5);
        let anchor = records[2].hash.clone();
        assert!(matches!(
            check(&records, None, Some(&anchor)),
            Verdict::Intact {
                anchor: Some(3),
                ..
            }
        ));
        assert_eq!(
            check(&records, None, Some("not-a-hash")),
            Verdict::AnchorMissing { count: 5 }
        );
        assert!(
            AuditKey::new(Vec::new()).is_none(),
            "an empty key is no key"
        );
    }
}
