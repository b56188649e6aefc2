//! Trigger matching: the JIT-compiled filters agree with the reference
//! interpreter on every (filter, event) pair of a large generated set, and
//! the slots filled from an event's bytes are the slots filled from the
//! parsed event.

use std::collections::BTreeMap;

use idflow_compiler::jit::{Matcher, Mode, extract::Slot};
use idflow_compiler::plan::ir::{Filter, FlowPlan, PExpr, Plan, Trigger, TriggerIndex};
use idflow_compiler::plan::ops::{BinaryOp, UnaryOp};
use idflow_compiler::plan::value::Value;
use serde_json::json;

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    #[expect(clippy::indexing_slicing, reason = "below(len) is within the slice")]
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PATHS: &[&[&str]] = &[
    &["eventType"],
    &["outcome", "result"],
    &["client", "geographicalContext", "country"],
    &["actor", "alternateId"],
    &["debugContext", "debugData", "risk"],
    &["severity"],
    &["securityContext", "asNumber"],
    &["n"],
    &["flag"],
    &["target", "0", "id"],
    &["target", "1", "type"],
];

const STRINGS: &[&str] = &[
    "FAILURE",
    "SUCCESS",
    "France",
    "Zürich",
    "日本",
    "🔐",
    "",
    "user.session.start",
    "HIGH",
    "a\"b",
];

fn random_scalar(rng: &mut Rng) -> serde_json::Value {
    match rng.below(12) {
        0 => serde_json::Value::Null,
        1 => json!(rng.below(2) == 1),
        2 => json!(rng.below(7) as i64 - 3),
        3 => json!(i64::MAX - rng.below(3) as i64),
        4 => json!(u64::MAX - rng.below(3) as u64),
        5 => json!(9_007_199_254_740_993_i64),
        6 => json!(*rng.pick(&[1.5, -0.0, 1e300, 9_007_199_254_740_992.0, 2.0, -2.5])),
        7 => json!([]),
        8 => json!({"x": 1}),
        _ => json!(*rng.pick(STRINGS)),
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "the node was just made an array or an object"
)]
fn random_event(rng: &mut Rng) -> serde_json::Value {
    let mut event = json!({"uuid": "u", "eventType": *rng.pick(&["user.session.start", "user.lifecycle.create"])});
    for path in PATHS {
        if rng.below(3) == 0 {
            continue;
        }
        let mut node = &mut event;
        for (depth, key) in path.iter().enumerate() {
            let last = depth + 1 == path.len();
            if let Ok(index) = key.parse::<usize>() {
                if !node.is_array() {
                    *node = json!([]);
                }
                let items = node.as_array_mut().unwrap();
                // Sometimes shorter than the index: reading it fails.
                while items.len() <= index && rng.below(4) != 0 {
                    items.push(json!({}));
                }
                match items.get_mut(index) {
                    Some(item) => node = item,
                    None => break,
                }
            } else {
                if !node.is_object() {
                    if rng.below(4) == 0 {
                        break;
                    }
                    *node = json!({});
                }
                let entry = node
                    .as_object_mut()
                    .unwrap()
                    .entry(key.to_string())
                    .or_insert(json!({}));
                node = entry;
            }
            if last {
                *node = random_scalar(rng);
            }
        }
    }
    event
}

fn field_path(path: &[&str]) -> PExpr {
    let mut expr = PExpr::Local { id: 0 };
    for key in path {
        expr = match key.parse::<i64>() {
            Ok(i) => PExpr::Index {
                base: Box::new(expr),
                index: Box::new(PExpr::constant(Value::Int(i))),
            },
            Err(_) => PExpr::Field {
                base: Box::new(expr),
                name: key.to_string(),
                safe: true,
            },
        };
    }
    expr
}

fn constant(rng: &mut Rng) -> PExpr {
    PExpr::constant(match rng.below(7) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 1),
        2 => Value::Int(*rng.pick(&[0, 1, -3, i64::MAX, i64::MIN, 9_007_199_254_740_993])),
        3 => Value::Float(*rng.pick(&[1.5, -0.0, 1e300, 9_007_199_254_740_992.0, 2.0, f64::NAN])),
        _ => Value::String(rng.pick(STRINGS).to_string()),
    })
}

fn number(rng: &mut Rng) -> PExpr {
    PExpr::constant(if rng.below(2) == 0 {
        Value::Int(*rng.pick(&[0, 1, -3, i64::MAX, 9_007_199_254_740_993]))
    } else {
        Value::Float(*rng.pick(&[1.5, -0.0, 9_007_199_254_740_992.0, 1e300]))
    })
}

fn bin(op: BinaryOp, lhs: PExpr, rhs: PExpr) -> PExpr {
    PExpr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}

/// A value: a field, or a field with a default.
fn operand(rng: &mut Rng) -> PExpr {
    let field = field_path(
        PATHS
            .get(rng.below(PATHS.len()))
            .copied()
            .unwrap_or_default(),
    );
    if rng.below(4) == 0 {
        bin(BinaryOp::Coalesce, field, constant(rng))
    } else {
        field
    }
}

fn random_filter(rng: &mut Rng, depth: u32) -> PExpr {
    let choice = if depth == 0 {
        rng.below(5)
    } else {
        rng.below(9)
    };
    match choice {
        0 => bin(
            *rng.pick(&[BinaryOp::Eq, BinaryOp::Ne]),
            operand(rng),
            constant(rng),
        ),
        1 => bin(
            *rng.pick(&[BinaryOp::Eq, BinaryOp::Ne]),
            constant(rng),
            operand(rng),
        ),
        2 => bin(
            *rng.pick(&[BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge]),
            operand(rng),
            number(rng),
        ),
        3 => {
            let items = (0..rng.below(4))
                .map(|_| match constant(rng) {
                    PExpr::Const { value } => value,
                    _ => Value::Null,
                })
                .collect();
            bin(
                *rng.pick(&[BinaryOp::In, BinaryOp::NotIn]),
                operand(rng),
                PExpr::constant(Value::List(items)),
            )
        }
        4 => operand(rng),
        5 | 6 => bin(
            *rng.pick(&[BinaryOp::And, BinaryOp::Or]),
            random_filter(rng, depth - 1),
            random_filter(rng, depth - 1),
        ),
        7 => PExpr::Unary {
            op: UnaryOp::Not,
            operand: Box::new(random_filter(rng, depth - 1)),
        },
        _ => bin(
            BinaryOp::Coalesce,
            random_filter(rng, depth - 1),
            random_filter(rng, depth - 1),
        ),
    }
}

fn plan_of(filters: Vec<PExpr>) -> Plan {
    let flows = filters
        .into_iter()
        .enumerate()
        .map(|(i, condition)| FlowPlan {
            name: format!("f{i}"),
            hash: String::new(),
            doc: None,
            triggers: vec![Trigger::Event {
                connector: "okta".to_owned(),
                event_type: "user.session.start".to_owned(),
                binding: Some(0),
                payload: None,
            }],
            filter: Some(Filter {
                condition,
                hoisted_stops: 0,
                jit: false,
            }),
            steps: Vec::new(),
            body: Vec::new(),
            on_error: None,
            locals: vec!["e".to_owned()],
            notes: Vec::new(),
        })
        .collect();
    let mut plan = Plan {
        format_version: 1,
        flows,
        functions: Vec::new(),
        index: TriggerIndex::default(),
        connectors: Vec::new(),
        types: Vec::new(),
    };
    plan.index = idflow_compiler::optimize::index(&plan.flows);
    plan
}

#[test]
fn the_jit_and_the_interpreter_agree_on_100_000_generated_pairs() {
    let mut rng = Rng(0x1d_f10e);
    let filters: Vec<PExpr> = (0..1_000).map(|_| random_filter(&mut rng, 3)).collect();
    let events: Vec<serde_json::Value> = (0..100).map(|_| random_event(&mut rng)).collect();
    let plan = plan_of(filters);
    let jit = Matcher::new(&plan, Mode::Jit, BTreeMap::new()).unwrap();
    let interpreter = Matcher::new(&plan, Mode::Interpreter, BTreeMap::new()).unwrap();
    assert_eq!(
        jit.compiled_filters(),
        1_000,
        "every generated filter is one the JIT covers"
    );
    let (mut slots, mut from_bytes) = (Vec::new(), Vec::new());
    let mut fired = 0;
    for event in &events {
        jit.extract_value(event, &mut slots);
        let bytes = serde_json::to_vec(event).unwrap();
        jit.match_bytes("okta", &bytes, &mut from_bytes).unwrap();
        assert_eq!(slots, from_bytes, "slots from bytes differ for {event}");
        let value = Value::from_json(event);
        for flow in 0..plan.flows.len() {
            let native = jit.passes(flow, &slots, Some(&value));
            let reference = interpreter.passes(flow, &[], Some(&value));
            assert_eq!(
                native,
                reference,
                "filter {:?}\non event {event}",
                plan.flows[flow].filter.as_ref().map(|f| &f.condition)
            );
            fired += usize::from(native);
        }
    }
    // The generated pairs exercise both outcomes.
    assert!(fired > 5_000 && fired < 95_000, "{fired} of 100000 fired");
}

#[test]
fn matching_uses_the_trigger_index_and_both_modes_agree_on_okta_samples() {
    let samples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/okta-samples");
    let mut events = Vec::new();
    for entry in std::fs::read_dir(&samples).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            match json.pointer("/data/events").and_then(|e| e.as_array()) {
                Some(delivered) => events.extend(delivered.iter().cloned()),
                None => events.push(json),
            }
        }
    }
    assert!(events.len() >= 10, "{} sample events", events.len());
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/security.flow"),
    )
    .unwrap();
    let mut sources = idflow_compiler::source::SourceMap::new();
    sources.add("security.flow", text);
    let plan = idflow_compiler::plan::build(
        &idflow_compiler::project::Project::new(sources),
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(
        plan.flows
            .iter()
            .all(|f| f.filter.as_ref().is_none_or(|x| x.jit))
    );
    let jit = Matcher::new(&plan, Mode::Jit, BTreeMap::new()).unwrap();
    let interpreter = Matcher::new(&plan, Mode::Interpreter, BTreeMap::new()).unwrap();
    let mut slots = Vec::new();
    for event in &events {
        let bytes = serde_json::to_vec(event).unwrap();
        let native = jit.match_bytes("okta", &bytes, &mut slots).unwrap();
        let reference = interpreter.match_value("okta", event, &mut Vec::new());
        assert_eq!(native, reference, "{event}");
    }
    // A failed sign-in from Spain fires the flow; the same from France does not.
    let signin = |country: &str| {
        json!({
            "uuid": "1", "published": "2026-03-29T01:30:00Z", "eventType": "user.session.start",
            "outcome": {"result": "FAILURE"}, "actor": {"id": "00u1"},
            "client": {"geographicalContext": {"country": country}}
        })
    };
    let mut fired = |event: serde_json::Value| {
        jit.match_bytes("okta", &serde_json::to_vec(&event).unwrap(), &mut slots)
            .unwrap()
    };
    assert_eq!(fired(signin("Spain")), [0]);
    assert!(fired(signin("France")).is_empty());
    let mut other = signin("Spain");
    other["eventType"] = json!("user.lifecycle.create");
    assert!(
        fired(other).is_empty(),
        "another event type is not even tested"
    );
}

#[test]
fn malformed_event_bytes_are_an_error_not_a_panic() {
    let plan = plan_of(vec![field_path(&["flag"])]);
    let jit = Matcher::new(&plan, Mode::Jit, BTreeMap::new()).unwrap();
    let mut slots: Vec<Slot> = Vec::new();
    assert!(
        jit.match_bytes("okta", b"{\"flag\": tru", &mut slots)
            .is_err()
    );
    assert!(
        jit.match_bytes("okta", b"{\"flag\": true} trailing", &mut slots)
            .is_err()
    );
}

#[test]
fn an_interpreted_filter_reads_the_events_times_as_times() {
    // `now()` keeps this filter in the interpreter; `e.published` is text in
    // the JSON and must be compared as the instant it names.
    let text = r#"
import okta

flow recent_signin {
  when okta.user_session_start as e
  where e.published > now() - 1h and e.actor != null
  then {
    okta.suspend_user(id: e.actor.id)
  }
}
"#;
    let mut sources = idflow_compiler::source::SourceMap::new();
    sources.add("recent.flow", text.to_owned());
    let plan = idflow_compiler::plan::build(
        &idflow_compiler::project::Project::new(sources),
        &BTreeMap::new(),
    )
    .unwrap();
    let matcher = Matcher::new(&plan, Mode::Jit, BTreeMap::new()).unwrap();
    assert!(matcher.interprets_filters());
    // 2026-03-29T02:00:00Z.
    matcher.set_now(1_774_749_600_000);
    let signin = |published: &str| {
        json!({
            "uuid": "1", "published": published, "eventType": "user.session.start",
            "actor": {"id": "00u1"}
        })
    };
    let mut slots = Vec::new();
    let mut fired = |event: serde_json::Value| {
        let bytes = serde_json::to_vec(&event).unwrap();
        let from_bytes = matcher.match_bytes("okta", &bytes, &mut slots).unwrap();
        let from_value = matcher.match_value("okta", &event, &mut slots);
        assert_eq!(from_bytes, from_value, "{event}");
        from_bytes
    };
    assert_eq!(fired(signin("2026-03-29T01:30:00.000Z")), [0]);
    assert!(fired(signin("2026-03-29T00:30:00.000Z")).is_empty());
    // System Log's other form of the same instant.
    assert_eq!(fired(signin("2026-03-29 01:30:00.000")), [0]);
}
