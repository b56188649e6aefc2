//! The command-line interface, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// idflow: identity and access automation as code.
///
/// Flows are small `.flow` files that say when an event happens, where a
/// condition holds, then which actions run against Okta, Slack, ServiceNow,
/// SCIM, email or any HTTP API.
#[derive(Debug, Parser)]
#[command(name = "idflow", version, propagate_version = true, after_help = EXAMPLES)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Examples:
  idflow parse flows/leaver.flow               outline of a file's items
  idflow parse flows/leaver.flow --format json the syntax tree as JSON
  idflow fmt                                   format every .flow file under the current directory
  idflow fmt --check examples                  list files that are not formatted (exit 1 if any)
  idflow check examples                        report every syntax and name error of a project
  idflow lint --fix examples                   errors and lints, safe fixes applied
  idflow explain E0206                         what a diagnostic code means, with a wrong and a fixed example
  idflow plan examples --flow block_foreign_signin   the optimized plan of one flow
  idflow build examples -o plan.idflow          the plan artifact the runtime loads
  idflow run examples --event e.json --dry-run --fixtures fixtures/   run the flows an event fires
  idflow test examples                         run the project's tests, no network
  idflow graph examples --flow deprovision_leaver --format svg   a flow's diagram
  idflow doc examples -o catalogue/            the flows' catalogue for auditors
  idflow audit verify                          check the hash-chained audit log of the store

Exit codes: 0 clean, 1 findings (syntax errors, unformatted files), 2 usage or input/output error.";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse a file and print its syntax tree.
    #[command(
        after_help = "Examples:\n  idflow parse examples/leaver.flow\n  idflow parse leaver.flow --format json | jq '.items[].item'"
    )]
    Parse(ParseArgs),
    /// Check a project: syntax, imports, connectors, events, actions, types, flows.
    #[command(
        after_help = "Examples:\n  idflow check                check every .flow file under the current directory\n  idflow check examples/chu   one project\n  idflow check --format sarif . > idflow.sarif"
    )]
    Check(CheckArgs),
    /// Everything `check` reports, plus lints; `--fix` applies the safe fixes.
    #[command(
        after_help = "Examples:\n  idflow lint                 lint every .flow file under the current directory\n  idflow lint --fix flows/    apply the safe fixes (add a missing import, remove an unused one, …)\n  idflow lint --format github .\n\nLint levels are set in idflow.toml:\n  [lints]\n  destructive-without-filter = \"deny\"\n  missing-flow-doc = \"allow\""
    )]
    Lint(LintArgs),
    /// Explain a diagnostic code, with a wrong and a fixed example.
    #[command(after_help = "Examples:\n  idflow explain E0206\n  idflow explain e0101")]
    Explain(ExplainArgs),
    /// Format .flow files in the one canonical style.
    #[command(
        after_help = "Examples:\n  idflow fmt                  format every .flow file under the current directory\n  idflow fmt flows/a.flow     format one file\n  idflow fmt --check .        exit 1 and list the files that would change"
    )]
    Fmt(FmtArgs),
    /// Compile a project into its plan artifact (binary, or JSON with `--format json`).
    #[command(
        after_help = "Examples:\n  idflow build examples -o plan.idflow\n  idflow build . -o plan.json --format json\n\nNo command loads the artifact: `idflow run` and `idflow serve` compile the\nproject themselves (and `serve` again when it changes). The artifact is the\nreviewable record of what a commit compiles to; `build` prints its plan id,\nthe id `idflow serve` deploys the same project under (`/readyz`, the audit\nlog's `deploy` records), so a release can be tied to what ran."
    )]
    Build(BuildArgs),
    /// Print the optimized plan of a project's flows: steps, dependencies, waves,
    /// what the optimizer merged or hoisted, the trigger filter.
    #[command(
        after_help = "Examples:\n  idflow plan examples\n  idflow plan examples --flow block_foreign_signin\n  idflow plan examples --flow block_foreign_signin --format mermaid\n  idflow plan . --unoptimized    the plan as lowered, before the optimizer"
    )]
    Plan(PlanArgs),
    /// Write the catalogue of the project's flows, for auditors: HTML and Markdown.
    #[command(
        after_help = "Examples:\n  idflow doc examples -o catalogue/\n  idflow doc . -o site/flows --title \"CHU — identity automation\"\n\nWrites DIR/index.html, DIR/index.md and DIR/diagrams/FLOW.svg. The project's tests\nrun (in process, no network) to list the tests of each flow."
    )]
    Doc(DocArgs),
    /// Draw flows as diagrams: Mermaid, DOT or SVG.
    #[command(
        after_help = "Examples:\n  idflow graph examples --flow deprovision_leaver                 Mermaid, on standard output\n  idflow graph examples --flow deprovision_leaver --format svg > leaver.svg\n  idflow graph examples --format dot -o diagrams/                 one file per flow\n\nWithout -o, one flow is drawn: name it with --flow when the project has several."
    )]
    Graph(GraphArgs),
    /// Run the flows an event fires (or a scheduled flow, now), and print their traces.
    #[command(
        after_help = "Examples:\n  idflow run examples --event examples/events --dry-run --fixtures examples/fixtures\n  idflow run . --event e.json --flow block_foreign_signin --dry-run --format json\n  idflow run examples --schedule report_inactive_accounts --dry-run --fixtures examples/fixtures\n  idflow run hr --webhook /hooks/hr-feed --body change.json --dry-run\n  idflow run hr --call ends_soon --arg login=a.martin --arg end=2026-12-31T18:00:00Z --dry-run\n\nExit codes: 0 every run succeeded (or was stopped, or waits), 1 a run failed or the project has errors, 2 usage or input errors."
    )]
    Run(RunArgs),
    /// The run history: list runs, show one run's journal.
    #[command(
        subcommand,
        after_help = "Examples:\n  idflow runs list\n  idflow runs list --flow block_foreign_signin --status failed\n  idflow runs show 19a5b2c4e1f0a3b2c1\n  idflow runs retry 19a5b2c4e1f0a3b2c1\n  idflow runs cancel 19a5b2c4e1f0a3b2c1"
    )]
    Runs(RunsCommand),
    /// The audit log: every flow version deployed, every run and every action
    /// sent, hash-chained in the store.
    #[command(
        subcommand,
        after_help = "Examples:\n  idflow audit verify\n  idflow audit verify --anchor 4f1c…e2 (the hash of yesterday's last record)\n  idflow audit export --since 2026-11-01 --format csv > audit-november.csv\n  idflow audit export --store /var/lib/idflow/state.db > audit.jsonl\n\n`verify` exits 1 and names the first record that was modified, removed or moved,\nor says the anchor is not in the chain. Records sealed with the project's\n[audit] key are checked with it."
    )]
    Audit(AuditCommand),
    /// Run the service: Okta Event Hooks, webhooks, schedules, the System Log
    /// poller, durable runs and waits; until SIGTERM.
    #[command(
        after_help = "Examples:\n  idflow serve examples\n  idflow serve . --listen 127.0.0.1:9000 --log-format json\n  OKTA_HOOK_AUTHORIZATION=… idflow serve . --config prod/idflow.toml --env prod\n\nEndpoints: POST/GET /hooks/okta (configurable), POST on each `when webhook` path,\n/healthz, /readyz, /metrics (Prometheus)."
    )]
    Serve(ServeArgs),
    /// Run the project's `test` blocks, in process and with no network.
    #[command(
        after_help = "Examples:\n  idflow test examples\n  idflow test . --filter \"Spain\" --format json\n  idflow test examples --format junit > idflow-tests.xml\n  idflow test examples --coverage coverage/lcov.info\n\nExit codes: 0 every test passed, 1 a test failed (or a test value cannot be read), 2 usage errors."
    )]
    Test(TestArgs),
    /// Replay an event archive through the project's triggers: how often each flow would have fired.
    #[command(
        after_help = "Examples:\n  idflow replay examples --events okta-export.jsonl\n  idflow replay . --events last-month.json.gz --flow block_foreign_signin\n  zcat export.json.gz | idflow replay . --events - --format json\n\nArchives: JSON lines of System Log events or of Event Hook deliveries, a JSON array\nas the System Log API returns it, or pretty-printed deliveries; gzip or not.\nNo action runs. Exit codes: 0 replayed, 1 the project does not build, 2 usage or\ninput errors (and, with --strict, a malformed event)."
    )]
    Replay(ReplayArgs),
    /// Start the language server on standard input and output (editors start it).
    #[command(
        after_help = "Editors start it themselves: the VS Code extension in lsp/vscode runs\n`idflow lsp`. Any client that speaks the Language Server Protocol over stdio can:\n  idflow lsp\n\nThe diagnostics are those of `idflow check` and `idflow lint`, at the levels of\nthe workspace's idflow.toml; formatting is `idflow fmt`'s."
    )]
    Lsp,
}

/// Arguments of `idflow test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Only the tests whose name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// How to report.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Report which steps and branches of each flow the tests ran (on
    /// standard error), and write an lcov file (default: lcov.info).
    #[arg(long, value_name = "LCOV", num_args = 0..=1, default_missing_value = "lcov.info")]
    pub coverage: Option<PathBuf>,
}

/// How `idflow test` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// A line per test, failures with their place, then `N passed, M failed`.
    Human,
    /// One JSON object per test, then the count.
    Json,
    /// JUnit XML, a test suite per file, for CI dashboards.
    Junit,
}

/// Arguments of `idflow serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The project directory (or .flow files); default: the current directory.
    pub paths: Vec<PathBuf>,
    /// The manifest; default: the nearest idflow.toml from the project directory upward.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The address to listen on; default: [serve] listen, else 127.0.0.1:8787.
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// The store; default: [serve] store, else .idflow/state.db beside the manifest.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// The environment whose [env.NAME.config] values apply.
    #[arg(long)]
    pub env: Option<String>,
    /// How to log to standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Do not reload the project when its files change.
    #[arg(long)]
    pub no_watch: bool,
}

/// How `idflow serve` logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `idflow runs` subcommands.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The latest runs, newest first.
    List(RunsListArgs),
    /// One run: its flow version, event, status and every step of its journal.
    Show(RunsShowArgs),
    /// Run a failed (or cancelled) run of `idflow serve` again: it resumes from
    /// its journal, so the actions that succeeded are not sent again.
    Retry(RunsIdArgs),
    /// Cancel a run of `idflow serve` that has not ended (pending, waiting or
    /// running: a running one finishes its current step, then stops).
    Cancel(RunsIdArgs),
}

/// `idflow audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the audit log, oldest record first.
    Export(AuditExportArgs),
    /// Check the hash chain; name the first record that breaks it.
    Verify(AuditVerifyArgs),
}

/// Which store a reading command opens.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The store; default: [serve] store in the project's idflow.toml, else
    /// .idflow/state.db beside it.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// The project directory; default: the nearest directory upward from the
    /// current one that holds an idflow.toml.
    #[arg(long)]
    pub project: Option<PathBuf>,
}

/// Arguments of `idflow audit export`.
#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// Only records written at or after this time (RFC 3339, or a date).
    #[arg(long)]
    pub since: Option<String>,
    /// One JSON object per line, or CSV.
    #[arg(long, value_enum, default_value_t = AuditFormat::Jsonl)]
    pub format: AuditFormat,
    /// Where the store is.
    #[command(flatten)]
    pub at: StoreArgs,
}

/// Arguments of `idflow audit verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Where the store is.
    #[command(flatten)]
    pub at: StoreArgs,
    /// A record hash published elsewhere (the last line of an earlier export,
    /// a ticket): the chain must still pass through it.
    #[arg(long)]
    pub anchor: Option<String>,
}

/// Output formats of `idflow audit export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// JSON lines.
    Jsonl,
    /// CSV with a header.
    Csv,
}

/// Arguments of `idflow runs retry` and `idflow runs cancel`.
#[derive(Debug, Args)]
pub struct RunsIdArgs {
    /// The run's id, as `idflow runs list` prints it.
    pub id: String,
    /// Where the store is.
    #[command(flatten)]
    pub at: StoreArgs,
}

/// Arguments of `idflow runs list`.
#[derive(Debug, Args)]
pub struct RunsListArgs {
    /// Only this flow's runs.
    #[arg(long)]
    pub flow: Option<String>,
    /// Only runs with this status.
    #[arg(long, value_parser = run_state())]
    pub status: Option<idflow_runtime::store::RunState>,
    /// How many runs at most.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Where the store is.
    #[command(flatten)]
    pub at: StoreArgs,
    /// How to print them.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
}

/// A run's status, as `idflow runs list --status` takes it: one of the
/// store's words (the parser lists them in `--help` and in its errors).
fn run_state() -> impl clap::builder::TypedValueParser<Value = idflow_runtime::store::RunState> {
    use clap::builder::TypedValueParser as _;
    use idflow_runtime::store::RunState;
    clap::builder::PossibleValuesParser::new(RunState::ALL.map(RunState::as_str))
        .try_map(|word| RunState::parse(&word).ok_or("not a run status"))
}

/// Arguments of `idflow runs show`.
#[derive(Debug, Args)]
pub struct RunsShowArgs {
    /// The run's id, as `idflow runs list` prints it.
    pub id: String,
    /// Where the store is.
    #[command(flatten)]
    pub at: StoreArgs,
    /// How to print it.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
}

/// Arguments of `idflow run`: events, or a schedule.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("fires").required(true).args(["event", "schedule", "webhook", "call"])))]
pub struct RunArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// The event: an Okta System Log event (a LogEvent) as JSON, or an Event Hook
    /// delivery with one event; a folder stands for each of its .json files, in
    /// name order. Repeat it to run several events.
    #[arg(long)]
    pub event: Vec<PathBuf>,
    /// Run this flow only (when the event fires it).
    #[arg(long)]
    pub flow: Option<String>,
    /// Fire this scheduled flow once, now, as its schedule would: the monthly
    /// report run by hand, or dry-run before it is deployed.
    #[arg(long, value_name = "FLOW", conflicts_with_all = ["flow", "event"])]
    pub schedule: Option<String>,
    /// Deliver --body to the flows listening on this webhook path, as
    /// `idflow serve` would: refused when it does not fit their body type.
    #[arg(long, value_name = "PATH", requires = "body", conflicts_with_all = ["event", "schedule"])]
    pub webhook: Option<String>,
    /// The JSON body of the --webhook delivery.
    #[arg(long, value_name = "FILE", requires = "webhook")]
    pub body: Option<PathBuf>,
    /// Run this flow of `when called(…)` on its own, with --arg values.
    #[arg(long, value_name = "FLOW", conflicts_with_all = ["event", "schedule", "webhook", "flow"])]
    pub call: Option<String>,
    /// An argument of the --call flow, NAME=VALUE: a text parameter takes
    /// VALUE as written, others read it as JSON (`3`, `true`, `["a"]`) or as
    /// `idflow.toml` writes values (`24h`). Repeat it for each parameter.
    #[arg(long = "arg", value_name = "NAME=VALUE", requires = "call")]
    pub args: Vec<String>,
    /// Record writes without sending them; answer reads from --fixtures.
    #[arg(long)]
    pub dry_run: bool,
    /// Where a dry run finds the answers to reads: CONNECTOR.ACTION.json files.
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// How to print the traces.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
    /// Where the run history is kept; default: .idflow/state.db in the project directory.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Run in this environment: its `[env.NAME.config]` values of idflow.toml.
    #[arg(long)]
    pub env: Option<String>,
}

/// Arguments of `idflow replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// The archive: a file (gzip or not), or `-` for standard input.
    #[arg(long)]
    pub events: PathBuf,
    /// Report this flow only.
    #[arg(long)]
    pub flow: Option<String>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Human)]
    pub format: ReplayFormat,
    /// Run every filter in the reference interpreter instead of native code.
    #[arg(long)]
    pub interpreter: bool,
    /// Stop at the first entry that is not an event, instead of counting it.
    #[arg(long)]
    pub strict: bool,
    /// Build the plan for this environment: its `[env.NAME.config]` values.
    #[arg(long)]
    pub env: Option<String>,
}

/// Output formats of `idflow replay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// A readable report.
    Human,
    /// The report as one JSON object.
    Json,
}

/// Output formats of `idflow run` and `idflow runs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// For people: `run` and `runs show` print each run's trace, a line per
    /// step; `runs list` a line per run (id, flow, status, detail).
    Human,
    /// JSON lines: `run` an object per step, then one per run; `runs list`
    /// an object per run; `runs show` one object, the run and its steps.
    Json,
}

/// Arguments of `idflow build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Where to write the plan.
    #[arg(short, long)]
    pub output: PathBuf,
    /// The artifact's encoding.
    #[arg(long, value_enum, default_value_t = BuildFormat::Binary)]
    pub format: BuildFormat,
    /// Build for this environment: its `[env.NAME.config]` values of idflow.toml.
    #[arg(long)]
    pub env: Option<String>,
}

/// Encodings of a plan artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    /// Compact (MessagePack), with a magic number and the format version: the
    /// plan as the service stores it, hashed into its plan id.
    Binary,
    /// Pretty JSON, for people and tools.
    Json,
}

/// Arguments of `idflow plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Show this flow only.
    #[arg(long)]
    pub flow: Option<String>,
    /// How to print it.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Show the plan as lowered, before optimization.
    #[arg(long)]
    pub unoptimized: bool,
    /// Plan for this environment: its `[env.NAME.config]` values of idflow.toml.
    #[arg(long)]
    pub env: Option<String>,
}

/// Arguments of `idflow doc`.
#[derive(Debug, Args)]
pub struct DocArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// The folder to write the catalogue into.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
    /// The catalogue's title; default: the project folder's name.
    #[arg(long)]
    pub title: Option<String>,
}

/// Arguments of `idflow graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// A project directory or .flow files; default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Draw this flow only.
    #[arg(long)]
    pub flow: Option<String>,
    /// The diagram's language.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    /// Write one file per flow into this folder (FLOW.mmd, FLOW.dot or FLOW.svg).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Draw the plan of this environment: its `[env.NAME.config]` values of idflow.toml.
    #[arg(long)]
    pub env: Option<String>,
}

/// Output formats of `idflow graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (GitHub, GitLab and wikis draw it).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// An SVG picture, laid out by idflow.
    Svg,
}

/// Output formats of `idflow plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// An outline per flow.
    Text,
    /// The plan (or the flow's plan) as JSON.
    Json,
    /// A Mermaid flowchart per flow.
    Mermaid,
}

/// Arguments of `idflow parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The .flow file to parse.
    pub file: PathBuf,
    /// What to print.
    #[arg(long, value_enum, default_value_t = ParseFormat::Outline)]
    pub format: ParseFormat,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
}

/// Output formats of `idflow parse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// One line per item: kind, name and lines.
    Outline,
    /// The whole syntax tree as JSON, with byte-offset spans.
    Json,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// Reports with source excerpts, coloured on a terminal.
    Human,
    /// One JSON object per line.
    Json,
}

/// Arguments of `idflow check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories (searched recursively for *.flow); default: the current directory.
    pub paths: Vec<PathBuf>,
    /// How to print diagnostics: `human` on standard error, the others on standard output.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

/// Arguments of `idflow lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories (searched recursively for *.flow); default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Apply the fixes that are safe without review, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// How to print diagnostics: `human` on standard error, the others on standard output.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

/// Output formats of `idflow check` and `idflow lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Reports with source excerpts, coloured on a terminal.
    Human,
    /// One JSON object per diagnostic and line.
    Json,
    /// One SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands, which annotate pull requests.
    Github,
}

/// Arguments of `idflow explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, such as `E0206`.
    pub code: String,
}

/// Arguments of `idflow fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or directories (searched recursively for *.flow); default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Change nothing: show what would change in each file that is not formatted, as a
    /// unified diff, and exit 1 if there is any.
    #[arg(long)]
    pub check: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
}
