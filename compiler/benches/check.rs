//! Checking throughput: a generated project of 1,000 flows, parsed with the
//! stdlib and resolved. Run with `cargo bench -p idflow-compiler --bench check`;
//! BENCHMARKS.md records the figures.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

/// One file of the project: a helper flow and a flow that uses connectors,
/// events, actions, types and a call, as a real project does.
fn file(n: usize) -> String {
    format!(
        r##"import okta
import slack
import scim

config channel_{n}: String = "#rssi-{n}"

/// Notify the manager of site {n}.
flow notify_{n} {{
  when called(user_id: String)
  then {{
    let user = okta.get_user(id: user_id)
    slack.post_message(channel: channel_{n}, text: "Account change for {{user.profile.login}}")
  }}
}}

/// Leaver process of site {n}: deprovision, remove groups, notify.
flow leaver_{n} {{
  when okta.user_deactivated as e
  where e.target != null and e.target.any(t => t.type == "User")
  then {{
    let target = e.target[0]
    let found = scim.find_users(filter: "externalId eq \"{{target.id}}\"")
    for account in found.Resources ?? [] {{
      scim.delete_user(id: account.id ?? "")
    }}
    for g in okta.list_user_groups(user: target.id) {{
      okta.remove_from_group(user: target.id, group: g.id)
    }}
    call notify_{n}(user_id: target.id)
  }}
}}

test "leaver {n} notifies the manager" {{
  given event okta.user_deactivated = {{ uuid: "u{n}", target: [{{ id: "00u{n}", type: "User" }}] }}
  expect leaver_{n}
  expect okta.remove_from_group
}}
"##
    )
}

fn check_throughput(c: &mut Criterion) {
    // 500 files of two flows each: 1,000 flows.
    let files: Vec<(String, String)> = (0..500)
        .map(|n| (format!("flows/site_{n}.flow"), file(n)))
        .collect();
    let lines: usize = files.iter().map(|(_, text)| text.lines().count()).sum();
    let sources = || {
        let mut sources = SourceMap::new();
        for (name, text) in &files {
            sources.add(name.clone(), text.clone());
        }
        sources
    };
    let diagnostics = idflow_compiler::check(&Project::new(sources()));
    assert!(
        diagnostics.is_empty(),
        "the generated project must check cleanly: {diagnostics:#?}"
    );
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function(format!("1000_flows_{lines}_lines"), |b| {
        b.iter_batched(
            sources,
            |s| idflow_compiler::check(&Project::new(black_box(s))),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, check_throughput);
criterion_main!(benches);
