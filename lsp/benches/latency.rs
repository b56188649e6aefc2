//! The editor's latencies on a 5,000-line file, measured in process through
//! the server's protocol service (everything but the stdio transport):
//! from a `didChange` to the `publishDiagnostics` it causes, and of a
//! completion request after `okta.`, and of a hover mid-file. Prints the median and the 99th
//! percentile; BENCHMARKS.md records the figures.
//!
//! Run: `cargo bench -p idflow-lsp --bench latency`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark"
)]

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use serde_json::{Value, json};
use tower::{Service as _, ServiceExt as _};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;

const ROUNDS: usize = 300;

/// A project file of about 5,000 lines: 455 flows of 11 lines and their docs.
fn big_file() -> String {
    let mut text = String::from(
        "import okta\nimport slack\n\n/// Where alerts go.\nconfig alert_channel: String = \"#alerts\"\n\n",
    );
    for i in 0..455 {
        text.push_str(&format!(
            "/// Flow number {i}.\nflow suspend_{i} {{\n  when okta.user_session_start as e\n  where e.outcome?.reason == \"RULE-{i}\" and e.actor != null\n  then {{\n    let user = okta.get_user(id: e.actor.id)\n    slack.post_message(channel: alert_channel, text: \"suspending {{user.profile.login}}\")\n    okta.suspend_user(id: user.id)\n  }}\n}}\n\n"
        ));
    }
    text
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let text = big_file();
    let lines = text.lines().count();
    let (mut service, socket) = LspService::new(idflow_lsp::Backend::new);
    let (published, mut diagnostics) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(socket.for_each(move |request: Request| {
        if request.method() == "textDocument/publishDiagnostics" {
            let _ = published.send(Instant::now());
        }
        async {}
    }));
    let mut next_id = 0;
    let mut call = async |method: &str, params: Value, notification: bool| {
        let mut request = Request::build(method.to_owned()).params(params);
        if !notification {
            next_id += 1;
            request = request.id(next_id);
        }
        service
            .ready()
            .await
            .unwrap()
            .call(request.finish())
            .await
            .unwrap()
    };
    call("initialize", json!({"capabilities": {}}), false).await;
    call("initialized", json!({}), true).await;
    let uri = "file:///bench/big.flow";
    call(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "idflow", "version": 1, "text": text}}),
        true,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    while diagnostics.try_recv().is_ok() {}

    // A keystroke in the middle of the file: a character typed, then removed.
    let line = lines / 2;
    let mut change = Vec::new();
    for round in 0..ROUNDS {
        let edit = if round % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": " "})
        } else {
            json!({"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 1}}, "text": ""})
        };
        let sent = Instant::now();
        call(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": round + 2}, "contentChanges": [edit]}),
            true,
        )
        .await;
        let arrived = diagnostics.recv().await.unwrap();
        change.push(arrived - sent);
    }

    // Completion after `okta.` on a line of its own inside the last flow.
    let at_line = lines - 3;
    call(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": ROUNDS + 10}, "contentChanges": [
            {"range": {"start": {"line": at_line, "character": 0}, "end": {"line": at_line, "character": 0}}, "text": "    okta.\n"}
        ]}),
        true,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut completion = Vec::new();
    for _ in 0..ROUNDS {
        let sent = Instant::now();
        let answer = call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": at_line, "character": 9}}),
            false,
        )
        .await
        .unwrap();
        completion.push(sent.elapsed());
        let items = answer.result().unwrap().as_array().map_or(0, Vec::len);
        assert!(items > 10, "completion after `okta.` lists the actions");
    }
    // Hover on `user` in the middle of the file: every name of the file is
    // resolved to find it (the table behind definition, references, tokens).
    // The header is 6 lines, each flow 11; its `let user` is its 6th line.
    let hover_line = 6 + lines / 2 / 11 * 11 + 5;
    let mut hover = Vec::new();
    for _ in 0..ROUNDS {
        let sent = Instant::now();
        let answer = call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": hover_line, "character": 9}}),
            false,
        )
        .await
        .unwrap();
        hover.push(sent.elapsed());
        let shown = answer
            .result()
            .unwrap()
            .pointer("/contents/value")
            .unwrap()
            .to_string();
        assert!(shown.contains("let user: okta.User"), "{shown}");
    }
    println!(
        "file: {lines} lines, {} bytes; {ROUNDS} rounds each",
        text.len()
    );
    for (name, samples) in [
        ("didChange → publishDiagnostics", &mut change),
        ("completion after `okta.`", &mut completion),
        ("hover on a `let` mid-file", &mut hover),
    ] {
        let median = percentile(samples, 0.5);
        let p99 = percentile(samples, 0.99);
        println!("{name}: median {median:.2?}, p99 {p99:.2?}");
    }
}
