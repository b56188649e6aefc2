//! Parse throughput on a generated project of 100,000 lines.
//!
//! Run with `cargo bench -p idflow-compiler --bench parse`; criterion prints
//! the time per parse and the throughput in bytes per second. BENCHMARKS.md
//! records the figures and how lines per second follow from them.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use idflow_compiler::source::FileId;
use idflow_compiler::syntax;

/// One realistic chunk of a project: a connector action block, config, a flow
/// with a filter, reads, branches, a loop, a wait and an error handler, and a test.
fn unit(n: usize) -> String {
    format!(
        r##"/// Countries from which staff of site {n} may sign in.
config allowed_{n}: List<String> = ["France", "Belgium", "Switzerland", "Luxembourg"]
config channel_{n}: String = "#rssi-{n}"

/// Suspend an account after a failed sign-in from abroad, and alert the CISO.
flow guard_{n} {{
  when okta.user_session_start as e
  where e.outcome?.result == "FAILURE"
    and (e.client?.geographicalContext?.country ?? "unknown") not in allowed_{n}
  then {{
    let user = okta.get_user(id: e.actor.id) // read, deduplicated
    let groups = okta.list_user_groups(user: user.id)
    if user.id in break_glass {{
      stop "break-glass account {{user.profile.login}}"
    }} else if groups.any(g => g.profile.name.starts_with("adm-")) {{
      servicenow.create_incident(short_description: "privileged sign-in failure for {{user.profile.login}}")
    }}
    for g in groups.filter(g => g.type == "OKTA_GROUP") parallel 4 {{
      okta.remove_from_group(user: user.id, group: g.id) retry 3 backoff 1s..30s
    }}
    parallel {{
      slack.post_message(
        channel: channel_{n},
        text: "Sign-in blocked for {{user.profile.login}} from {{e.client.geographicalContext.country}}",
      )
      okta.suspend_user(id: user.id) on error(err) {{
        slack.post_message(channel: channel_{n}, text: "suspension failed: {{err.message}}")
      }}
    }}
    wait 24h
    let factors = okta.list_factors(user: user.id)
    if factors.is_empty() {{
      okta.reset_factors(user: user.id)
    }}
  }}
}}

test "guard {n} suspends a foreign sign-in" {{
  given event okta.user_session_start = {{ actor: {{ id: "00u{n}" }}, outcome: {{ result: "FAILURE" }} }}
  given okta.get_user(id: "00u{n}") returns {{ id: "00u{n}", profile: {{ login: "a{n}@chu.fr" }} }}
  expect okta.suspend_user(id: "00u{n}")
  expect no okta.deactivate_user
}}

"##
    )
}

/// A project of at least `lines` lines.
fn project(lines: usize) -> String {
    let per_unit = unit(0).lines().count();
    (0..lines.div_ceil(per_unit)).map(unit).collect()
}

fn parse_throughput(c: &mut Criterion) {
    let text = project(100_000);
    let parsed = syntax::parse(FileId(0), &text);
    assert!(
        parsed.diagnostics.is_empty(),
        "the generated project must parse cleanly"
    );
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(format!("{}_lines", text.lines().count()), |b| {
        b.iter(|| syntax::parse(FileId(0), black_box(&text)))
    });
    // The grammar alone, without building the tree: how the time splits
    // between pest and our own code.
    group.bench_function("grammar_only", |b| {
        b.iter(|| {
            use pest::Parser as _;
            let pairs = syntax::FlowParser::parse(syntax::Rule::chunk, black_box(&text));
            pairs.map(|p| p.count()).unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(benches, parse_throughput);
criterion_main!(benches);
