//! Trigger matching throughput on 100,000 generated Okta System Log events
//! shaped like ../shared/specs/okta/samples: (a) one realistic filter, (b) a
//! project of 1,000 flows each filtering on an event type and one to three
//! fields. Interpreter and JIT, from raw JSON bytes and from input already
//! extracted, beside the cost of parsing the same bytes into
//! `serde_json::Value`. Run with `cargo bench -p idflow-compiler --bench
//! trigger`; BENCHMARKS.md records the figures.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use idflow_compiler::jit::extract::Slot;
use idflow_compiler::jit::{Matcher, Mode};
use idflow_compiler::plan::{self, Plan, value::Value};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;
use serde_json::json;

const EVENTS: usize = 100_000;

const TYPES: [&str; 8] = [
    "user.session.start",
    "user.authentication.sso",
    "user.lifecycle.create",
    "user.lifecycle.deactivate",
    "group.user_membership.add",
    "user.mfa.factor.deactivate",
    "user.account.update_profile",
    "policy.evaluate_sign_on",
];
const COUNTRIES: [&str; 8] = [
    "France",
    "Belgium",
    "Spain",
    "Switzerland",
    "Luxembourg",
    "Canada",
    "Germany",
    "Morocco",
];
const RESULTS: [&str; 4] = ["SUCCESS", "FAILURE", "SKIPPED", "ALLOW"];
const DEPARTMENTS: [&str; 4] = ["Urgences", "Cardiologie", "Pharmacie", "DSI"];

/// A deterministic pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % 1_000_000).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.next() % items.len())
            .copied()
            .unwrap_or_default()
    }
}

/// One event, about 1.5 KB, with the fields and nulls real deliveries have.
fn event(rng: &mut Rng, n: usize) -> serde_json::Value {
    let country = rng.pick(&COUNTRIES);
    json!({
        "uuid": format!("f1d0b993-cc19-11ed-a688-{n:012x}"),
        "published": "2026-03-26T21:05:32.159Z",
        "eventType": rng.pick(&TYPES),
        "version": "0",
        "displayMessage": "User login to Okta",
        "severity": rng.pick(&["INFO", "WARN"]),
        "client": {
            "userAgent": {"rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36", "os": "Mac OS X", "browser": "CHROME"},
            "zone": "null",
            "device": "Computer",
            "id": null,
            "ipAddress": "142.126.158.61",
            "geographicalContext": {"city": "Lyon", "state": "Rhône", "country": country, "postalCode": "69003", "geolocation": {"lat": 45.76, "lon": 4.85}},
            "ipChain": [{"ip": "142.126.158.61", "geographicalContext": {"city": "Lyon", "country": country}, "version": "V4", "source": null}]
        },
        "device": null,
        "actor": {"id": format!("00u{n}"), "type": "User", "alternateId": format!("user{n}@chu-exemple.fr"), "displayName": "Camille Martin", "detailEntry": null},
        "outcome": {"result": rng.pick(&RESULTS), "reason": null},
        "target": [{"id": format!("00u{}", n + 1), "type": "User", "alternateId": "agent@chu-exemple.fr", "displayName": "Agent", "detailEntry": {"department": rng.pick(&DEPARTMENTS)}}],
        "transaction": {"type": "WEB", "id": "ZCCzjQSSmo5dTpPW3e8pSgAAAKk", "detail": {}},
        "debugContext": {"debugData": {"requestId": "ZCCzjQSSmo5dTpPW3e8pSgAAAKk", "requestUri": "/idp/idx/authenticators/poll", "url": "/idp/idx/authenticators/poll?", "risk": rng.pick(&["{level=LOW}", "{level=HIGH}"])}},
        "legacyEventType": "core.user_auth.login_success",
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": "102bZDNFfWaQSyEZQuDgWt-uQ"},
        "securityContext": {"asNumber": 577, "asOrg": "bell canada", "isp": "bell canada", "domain": "bell.ca", "isProxy": false}
    })
}

fn project(text: String) -> Plan {
    let mut sources = SourceMap::new();
    sources.add("bench.flow", text);
    plan::build(&Project::new(sources), &BTreeMap::new())
        .unwrap_or_else(|e| unreachable!("the benchmark project builds: {e}"))
}

/// (a) The filter of the flagship example.
fn one_filter() -> Plan {
    project(
        r#"import okta

/// Suspends failed sign-ins from abroad.
flow block_foreign_signin {
  when okta.user_session_start as e
  where e.outcome?.result == "FAILURE"
    and e.client?.geographicalContext?.country not in ["France", "Belgium", "Switzerland", "Luxembourg"]
  then {
    okta.suspend_user(id: e.actor?.id ?? "")
  }
}
"#
        .to_owned(),
    )
}

/// (b) 1,000 flows, each on one event type with one to three comparisons.
fn thousand_flows() -> Plan {
    project(thousand_flows_text())
}

/// The text of the 1,000-flow project.
fn thousand_flows_text() -> String {
    let mut rng = Rng(42);
    let events = [
        ("user_session_start", "user.session.start"),
        ("user_created", "user.lifecycle.create"),
        ("user_deactivated", "user.lifecycle.deactivate"),
        ("group_member_added", "group.user_membership.add"),
        ("user_profile_updated", "user.account.update_profile"),
    ];
    let mut text = String::from("import okta\n\n");
    for n in 0..1_000 {
        let (event, _) = events.get(n % events.len()).copied().unwrap_or_default();
        let mut conditions = vec![format!("e.outcome?.result == \"{}\"", rng.pick(&RESULTS))];
        if rng.next() % 3 > 0 {
            conditions.push(format!(
                "e.client?.geographicalContext?.country != \"{}\"",
                rng.pick(&COUNTRIES)
            ));
        }
        if rng.next() % 3 > 1 {
            conditions.push(format!("e.severity == \"{}\"", rng.pick(&["INFO", "WARN"])));
        }
        text.push_str(&format!(
            "/// Flow {n}.\nflow f{n} {{\n  when okta.{event} as e\n  where {}\n  then {{\n    okta.suspend_user(id: e.actor?.id ?? \"\")\n  }}\n}}\n\n",
            conditions.join(" and ")
        ));
    }
    text
}

/// With `IDFLOW_REPLAY_FIXTURES=DIR`, writes the 1,000-flow project to
/// `DIR/project/flows.flow` and 1,000,000 generated events to
/// `DIR/events.jsonl` (about 1.5 GB), for `idflow replay` (BENCHMARKS.md).
fn write_replay_fixtures(dir: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir.join("project"))?;
    std::fs::write(dir.join("project/flows.flow"), thousand_flows_text())?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("events.jsonl"))?);
    let mut rng = Rng(7);
    for n in 0..1_000_000 {
        serde_json::to_writer(&mut out, &event(&mut rng, n))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn bench(c: &mut Criterion) {
    if let Some(dir) = std::env::var_os("IDFLOW_REPLAY_FIXTURES") {
        write_replay_fixtures(std::path::Path::new(&dir))
            .unwrap_or_else(|e| unreachable!("cannot write the replay fixtures: {e}"));
        return;
    }
    let mut rng = Rng(7);
    let events: Vec<serde_json::Value> = (0..EVENTS).map(|n| event(&mut rng, n)).collect();
    let bytes: Vec<Vec<u8>> = events
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap_or_default())
        .collect();
    let values: Vec<Value> = events.iter().map(Value::from_json).collect();
    let types: Vec<&str> = events
        .iter()
        .map(|e| {
            e.get("eventType")
                .and_then(|t| t.as_str())
                .unwrap_or_default()
        })
        .collect();

    let mut group = c.benchmark_group("trigger");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("parse_into_serde_json_value", |b| {
        b.iter(|| {
            for event in &bytes {
                black_box(serde_json::from_slice::<serde_json::Value>(event).ok());
            }
        })
    });
    for (name, plan) in [
        ("one_filter", one_filter()),
        ("1000_flows", thousand_flows()),
    ] {
        let jit =
            Matcher::new(&plan, Mode::Jit, BTreeMap::new()).unwrap_or_else(|e| unreachable!("{e}"));
        let interpreter = Matcher::new(&plan, Mode::Interpreter, BTreeMap::new())
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(jit.compiled_filters(), plan.flows.len());
        let mut slots: Vec<Slot> = Vec::new();
        let extracted: Vec<Vec<Slot>> = events
            .iter()
            .map(|e| {
                jit.extract_value(e, &mut slots);
                slots.clone()
            })
            .collect();
        group.bench_function(BenchmarkId::new("jit_from_bytes", name), |b| {
            b.iter(|| {
                for event in &bytes {
                    black_box(jit.match_bytes("okta", event, &mut slots).ok());
                }
            })
        });
        group.bench_function(BenchmarkId::new("interpreter_from_bytes", name), |b| {
            b.iter(|| {
                for event in &bytes {
                    let json: Option<serde_json::Value> = serde_json::from_slice(event).ok();
                    black_box(json.map(|j| interpreter.match_value("okta", &j, &mut slots)));
                }
            })
        });
        group.bench_function(BenchmarkId::new("jit_from_slots", name), |b| {
            b.iter(|| {
                for (slots, event_type) in extracted.iter().zip(&types) {
                    black_box(jit.match_extracted("okta", event_type, slots, None));
                }
            })
        });
        group.bench_function(BenchmarkId::new("interpreter_from_values", name), |b| {
            b.iter(|| {
                for (value, event_type) in values.iter().zip(&types) {
                    black_box(interpreter.match_extracted("okta", event_type, &[], Some(value)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
