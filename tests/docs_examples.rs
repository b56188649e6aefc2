//! The examples of the documentation are run, so the docs cannot drift from
//! what idflow does.
//!
//! - Every ```` ```flow ```` block of `README.md` and `docs/language.md` is a
//!   whole file that checks without error. A block preceded by the line
//!   `<!-- doc-test: in examples/tests -->` is a file of the reference
//!   project's `tests/` folder: it is added to a copy of `examples/`, and
//!   `idflow test` on that copy must pass. A block preceded by
//!   `<!-- doc-test: project -->` is a project of its own: it checks, and
//!   its tests pass.
//! - Every ```` ```console ```` block of `docs/cli.md` is run, command by
//!   command (`$ …` lines, through `sh`), in one sandbox per document — a
//!   copy of `examples/` and of `tests/fixtures/docs/` — so a command sees
//!   what the commands above it did. What the block shows after a command
//!   must be what the command prints (standard output and error), line by
//!   line, where `…` stands for any text within a line and a line of `…`
//!   alone for any number of lines. Trailing spaces are ignored.
//! - A block preceded by `<!-- doc-test: not run (why) -->` is left out,
//!   with the reason written next to it for the reader to judge.

#![expect(
    clippy::unwrap_used,
    reason = "a test: a document or sandbox that cannot be read fails it"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

/// One fenced block of a Markdown file.
#[derive(Debug)]
struct Block {
    /// The fence's info string: `flow`, `console`, ….
    info: String,
    /// The `<!-- doc-test: … -->` directive on the line above, if any.
    directive: Option<String>,
    /// The 1-based line of the opening fence, for messages.
    line: usize,
    /// The text between the fences.
    body: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = markdown.lines().enumerate().peekable();
    let mut previous = "";
    while let Some((index, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```")
            && !info.is_empty()
        {
            let mut body = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            let directive = previous
                .trim()
                .strip_prefix("<!-- doc-test:")
                .and_then(|rest| rest.strip_suffix("-->"))
                .map(|d| d.trim().to_owned());
            found.push(Block {
                info: info.trim().to_owned(),
                directive,
                line: index + 1,
                body,
            });
            previous = "";
            continue;
        }
        previous = line;
    }
    found
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(support::root().join(relative)).unwrap()
}

fn skipped(block: &Block) -> bool {
    block
        .directive
        .as_deref()
        .is_some_and(|d| d.starts_with("not run ("))
}

/// The errors `idflow check` finds in `text` checked as a file of its own.
fn errors_alone(text: &str) -> Vec<String> {
    let mut sources = SourceMap::new();
    sources.add("example.flow", text);
    let project = Project::new(sources);
    idflow_compiler::check(&project)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| {
            idflow_compiler::diagnostics::render::to_text_in(
                &d,
                &project.sources,
                idflow_compiler::diagnostics::render::Colors::Off,
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs `idflow test` on a copy of the reference project with `text` as
/// one more file of its `tests/` folder.
fn passes_in_examples(text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("examples");
    copy_dir(&support::root().join("examples"), &project);
    std::fs::write(project.join("tests/doc_example.flow"), text).unwrap();
    tests_pass(&project)
}

/// Runs `idflow test` on a project made of `text` alone.
fn passes_alone(text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.flow"), text).unwrap();
    tests_pass(dir.path())
}

fn tests_pass(project: &Path) -> Result<(), String> {
    let output = support::idflow(&["test", project.to_str().unwrap()]);
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn check_flow_blocks(document: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for block in blocks(&read(document)) {
        if block.info != "flow" || skipped(&block) {
            continue;
        }
        let place = format!("{document}:{}", block.line);
        match block.directive.as_deref() {
            None => {
                let errors = errors_alone(&block.body);
                if !errors.is_empty() {
                    failures.push(format!("{place}:\n{}", errors.join("\n")));
                }
            }
            Some("project") => {
                let errors = errors_alone(&block.body);
                if !errors.is_empty() {
                    failures.push(format!("{place}:\n{}", errors.join("\n")));
                } else if let Err(output) = passes_alone(&block.body) {
                    failures.push(format!("{place}: `idflow test` fails:\n{output}"));
                }
            }
            Some("in examples/tests") => {
                if let Err(output) = passes_in_examples(&block.body) {
                    failures.push(format!("{place}: `idflow test` fails:\n{output}"));
                }
            }
            Some(other) => failures.push(format!("{place}: unknown directive `{other}`")),
        }
    }
    failures
}

#[test]
fn every_flow_block_of_the_language_reference_checks() {
    let failures = check_flow_blocks("docs/language.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_flow_block_of_the_readme_checks() {
    let failures = check_flow_blocks("README.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A block's commands, each with the output the block shows for it.
fn commands(body: &str) -> Vec<(String, Vec<String>)> {
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    for line in body.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            commands.push((command.to_owned(), Vec::new()));
        } else if let Some((_, output)) = commands.last_mut() {
            output.push(line.trim_end().to_owned());
        }
    }
    commands
}

/// Whether `actual` is a line `pattern` shows, `…` standing for any text.
fn line_matches(pattern: &str, actual: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == actual;
    };
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Whether the lines `actual` are what `shown` shows, a line of `…` alone
/// standing for any number of lines.
fn output_matches(shown: &[String], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "…" => (0..=actual.len())
            .any(|skip| output_matches(rest, actual.get(skip..).unwrap_or_default())),
        Some((first, rest)) => actual.split_first().is_some_and(|(line, others)| {
            line_matches(first, line) && output_matches(rest, others)
        }),
    }
}

fn sandbox() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("chu");
    copy_dir(&support::root().join("tests/fixtures/docs"), &root);
    copy_dir(&support::root().join("examples"), &root.join("examples"));
    (dir, root)
}

fn run_console_blocks(document: &str) -> Vec<String> {
    let (_dir, root) = sandbox();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_idflow"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    for block in blocks(&read(document)) {
        if block.info != "console" || skipped(&block) {
            continue;
        }
        for (command, shown) in commands(&block.body) {
            let output = Command::new("sh")
                .arg("-c")
                // On a line of its own, the command's `# comment` cannot hide the redirection.
                .arg(format!("{{ {command}\n}} 2>&1"))
                .current_dir(&root)
                .env("PATH", &path)
                .env_remove("NO_COLOR")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&output.stdout);
            let actual: Vec<&str> = text.lines().map(str::trim_end).collect();
            if !output_matches(&shown, &actual) {
                failures.push(format!(
                    "{document}:{}: `{command}` printed\n{}\nwhere the block shows\n{}",
                    block.line,
                    actual.join("\n"),
                    shown.join("\n")
                ));
            }
        }
    }
    failures
}

#[test]
fn every_console_example_of_the_command_reference_runs_as_shown() {
    let failures = run_console_blocks("docs/cli.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_output_patterns_match_what_they_show_and_nothing_else() {
    assert!(line_matches("a … z", "a b c z"));
    assert!(line_matches("sha256:…", "sha256:0d7b"));
    assert!(!line_matches("a … z", "a b c"));
    assert!(!line_matches("abc", "abcd"));
    assert!(!line_matches("a…a", "a"));
    let shown = ["x".to_owned(), "…".to_owned(), "z".to_owned()];
    assert!(output_matches(&shown, &["x", "y", "y", "z"]));
    assert!(output_matches(&shown, &["x", "z"]));
    assert!(!output_matches(&shown, &["x", "y"]));
    assert!(!output_matches(&shown[..1], &["x", "y"]));
}

#[test]
fn blocks_and_their_directives_are_found() {
    let markdown = "text\n<!-- doc-test: not run (a service) -->\n```console\n$ idflow serve\n```\n\n```flow\nimport okta\n```\n";
    let found = blocks(markdown);
    assert_eq!(found.len(), 2);
    assert!(skipped(&found[0]));
    assert_eq!(found[1].info, "flow");
    assert_eq!(found[1].directive, None);
    assert_eq!(found[1].body, "import okta\n");
}

/// The part of `markdown` under the `## ` headings that name `idflow
/// COMMAND` (`runs` has several), up to the next heading of that level.
fn sections<'m>(markdown: &'m str, command: &str) -> Vec<&'m str> {
    let heading = format!("## `idflow {command} ");
    let bare = format!("## `idflow {command}`");
    let mut found = Vec::new();
    let mut rest = markdown;
    while let Some(at) = rest.find(&heading).or_else(|| rest.find(&bare)) {
        let section = rest.get(at..).unwrap_or_default();
        let end = section
            .get(3..)
            .and_then(|s| s.find("\n## "))
            .map_or(section.len(), |e| e + 3);
        found.push(section.get(..end).unwrap_or_default());
        rest = section.get(end..).unwrap_or_default();
    }
    found
}

/// The long flags `idflow ARGS --help` lists.
fn flags(args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.push("--help");
    let output = support::idflow(&all);
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut flags: Vec<String> = help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .flat_map(|l| l.split([' ', ',', '=', '<', '[']))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_owned)
        .filter(|f| f != "--help" && f != "--version")
        .collect();
    flags.dedup();
    flags
}

#[test]
fn every_flag_of_every_command_is_in_the_command_reference() {
    let reference = read("docs/cli.md");
    let mut missing = Vec::new();
    for command in [
        vec!["parse"],
        vec!["check"],
        vec!["lint"],
        vec!["explain"],
        vec!["fmt"],
        vec!["build"],
        vec!["plan"],
        vec!["doc"],
        vec!["graph"],
        vec!["run"],
        vec!["runs", "list"],
        vec!["runs", "show"],
        vec!["runs", "retry"],
        vec!["runs", "cancel"],
        vec!["audit", "export"],
        vec!["audit", "verify"],
        vec!["serve"],
        vec!["test"],
        vec!["replay"],
        vec!["lsp"],
    ] {
        let text = sections(&reference, command[0]).concat();
        assert!(
            !text.is_empty(),
            "docs/cli.md has no section on `idflow {}`",
            command[0]
        );
        for flag in flags(&command) {
            if !text.contains(&flag) {
                missing.push(format!("idflow {} {flag}", command.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "not in docs/cli.md: {missing:#?}");
}

/// The commands the README names in its prose (`idflow test examples`), in
/// order, as a reader would type them in a copy of the repository: each is
/// accepted (no usage or input error, exit 0 or 1). A long-running one
/// (`serve`, `lsp`) and one with a placeholder for the reader's own (`ID`,
/// `EXPORT.jsonl.gz`) are left out; the history and audit commands run in
/// the project that the README's runs recorded into.
#[test]
fn every_command_the_readme_names_is_accepted() {
    let readme = read("README.md");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(&support::root().join("examples"), &root.join("examples"));
    copy_dir(&support::root().join("stdlib"), &root.join("stdlib"));
    // The README's main job first, as a reader runs it first: it records
    // the runs the history commands read.
    let main_job = readme
        .lines()
        .find_map(|l| l.strip_prefix("cargo run --release -- "))
        .and_then(|l| l.split('#').next())
        .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_idflow"))
        .args(main_job.split_whitespace())
        .current_dir(root)
        .output()
        .unwrap()
        .status;
    assert!(status.success(), "the main job: {status}");
    let mut ran = 0;
    for found in readme.split('`').skip(1).step_by(2) {
        let command = found.split_whitespace().collect::<Vec<_>>();
        let Some((&"idflow", args)) = command.split_first() else {
            continue;
        };
        let long_running = matches!(args.first(), Some(&"serve" | &"lsp"));
        // `ID`, `EXPORT.jsonl.gz`: the reader's own.
        let placeholder = args.iter().any(|a| {
            a.split('.')
                .next()
                .is_some_and(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()))
        });
        if long_running || placeholder || args.is_empty() {
            continue;
        }
        let in_project = matches!(args.first(), Some(&"runs" | &"audit"));
        let cwd = if in_project {
            root.join("examples")
        } else {
            root.to_path_buf()
        };
        let output = Command::new(env!("CARGO_BIN_EXE_idflow"))
            .args(args)
            .current_dir(&cwd)
            .output()
            .unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "`{}` exits {:?}: {}",
            command.join(" "),
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} commands found in the README");
}
