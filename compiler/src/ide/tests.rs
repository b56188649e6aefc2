//! Tests of the editor queries. Each source marks the cursor with `$0`;
//! snapshots show the source and the answer together.

use super::*;
use crate::project::Project;
use crate::source::{FileId, SourceMap};

const SOURCE: &str = r##"import okta
import slack

/// Where alerts go.
config alert_channel: String = "#alerts"

/// Suspends an account after a failed sign-in.
flow suspend_on_failure {
  when okta.user_session_start as e
  where e.actor != null
  then {
    let user = okta.get_user(id: e.actor.id)
    slack.post_message(channel: alert_channel, text: "suspending {user.profile.login}")
    for login in [user.profile.login] {
      slack.post_message(channel: alert_channel, text: login)
    }
    okta.suspend_user(id: user.id)
  }
}
"##;

/// The project with `source` (its cursor mark removed), the file's id and
/// the cursor's offset.
fn project_at(source: &str) -> (Project, FileId, usize) {
    let offset = source
        .find("$0")
        .expect("the source marks the cursor with $0");
    let mut files = SourceMap::new();
    files.add("main.flow", source.replacen("$0", "", 1));
    let project = Project::new(files);
    let file = project
        .file_named("main.flow")
        .expect("the file is in the project");
    (project, file, offset)
}

fn with_cursor(marker: &str) -> String {
    let plain = marker.replace('|', "");
    assert!(SOURCE.contains(&plain), "`{plain}` is not in the source");
    SOURCE.replacen(&plain, &marker.replace('|', "$0"), 1)
}

fn hover_at(marker: &str) -> String {
    let source = with_cursor(marker);
    let (project, file, offset) = project_at(&source);
    let analysis = analyze(&project, &Levels::new(), None);
    let occurrences = occurrences(&project, &analysis.table, project.file(file).unwrap());
    let hover = hover(&project, &analysis.table, &occurrences, file, offset);
    hover.map_or("no hover".to_owned(), |h| h.markdown)
}

#[test]
fn hover_shows_what_each_kind_of_name_is() {
    let hovers: Vec<String> = [
        "channel: |alert_channel,",
        "okta.sus|pend_user",
        "let u|ser",
        "|e.actor.id",
        "user.pro|file.login}",
        "text: lo|gin",
        "flow sus|pend_on_failure",
    ]
    .iter()
    .map(|marker| format!("--- {marker}\n{}", hover_at(marker)))
    .collect();
    insta::assert_snapshot!(hovers.join("\n"));
}

fn labels(source: &str) -> Vec<String> {
    let (project, file, offset) = project_at(source);
    let analysis = analyze(&project, &Levels::new(), None);
    let mut labels: Vec<String> = complete(&project, &analysis.table, file, offset)
        .into_iter()
        .map(|c| c.label)
        .collect();
    labels.sort();
    labels
}

#[test]
fn completion_reads_types_and_locals_where_the_typing_broke_the_item() {
    // `user.profile.` swallows the `if` below it.
    let source = SOURCE.replace(
        "    slack.post_message(channel: alert_channel, text: \"suspending {user.profile.login}\")\n",
        "    let who = user.profile.$0\n    if user.id == \"x\" {\n      stop\n    }\n",
    );
    let found = labels(&source);
    assert!(found.contains(&"login".to_owned()), "{found:?}");
    // Inside a call left open, the locals around it are proposed.
    let source = SOURCE.replace(
        "    okta.suspend_user(id: user.id)\n",
        "    okta.suspend_user(id: $0\n",
    );
    let found = labels(&source);
    assert!(found.contains(&"user".to_owned()), "{found:?}");
    assert!(found.contains(&"alert_channel".to_owned()), "{found:?}");
}

#[test]
fn completion_after_a_connector_lists_its_actions_even_on_a_broken_line() {
    let source = SOURCE.replace("    okta.suspend_user(id: user.id)\n", "    okta.$0\n");
    let labels = labels(&source);
    for action in ["get_user", "suspend_user", "deactivate_user"] {
        assert!(labels.contains(&action.to_owned()), "{labels:?}");
    }
    assert!(
        !labels.contains(&"user_created".to_owned()),
        "events are not actions"
    );
}

#[test]
fn completion_after_a_binding_lists_the_fields_of_its_type() {
    let source = SOURCE.replace(
        "    okta.suspend_user(id: user.id)\n",
        "    user.profile.$0\n",
    );
    let labels = labels(&source);
    assert!(labels.contains(&"login".to_owned()), "{labels:?}");
    let source = SOURCE.replace("    okta.suspend_user(id: user.id)\n", "    e.$0\n");
    assert!(labels_contain(&source, "actor"));
}

fn labels_contain(source: &str, label: &str) -> bool {
    labels(source).iter().any(|l| l == label)
}

#[test]
fn completion_offers_events_after_when_and_arguments_inside_a_call() {
    let source = SOURCE.replace("  when okta.user_session_start as e", "  when $0");
    assert!(labels_contain(&source, "okta.user_created"));
    let source = SOURCE.replace("okta.suspend_user(id: user.id)", "okta.suspend_user($0)");
    assert!(labels_contain(&source, "id:"));
    let source = format!("{SOURCE}\n$0");
    assert!(
        labels_contain(&source, "flow"),
        "a snippet at the top level"
    );
}

#[test]
fn completion_in_a_connector_offers_the_settings_the_runtime_reads() {
    let source =
        format!("{SOURCE}\n/// An API.\nconnector hr {{\n  base_url: env(\"HR_URL\")\n  $0\n}}\n");
    let labels = labels(&source);
    for label in [
        "auth",
        "max_concurrency",
        "idempotency_header",
        "retry",
        "read action",
    ] {
        assert!(labels.contains(&label.to_owned()), "{label}: {labels:?}");
    }
    // Inside a flow, settings are not proposed.
    let source = SOURCE.replace("    okta.suspend_user(id: user.id)\n", "    $0\n");
    assert!(!labels_contain(&source, "max_concurrency"));
}

#[test]
fn definition_references_and_rename_follow_a_config() {
    let source = with_cursor("channel: |alert_channel,");
    let (project, file, offset) = project_at(&source);
    let analysis = analyze(&project, &Levels::new(), None);
    let here = occurrences(&project, &analysis.table, project.file(file).unwrap());
    let def = definition(&here, offset).unwrap();
    let text = &project.sources.get(file).unwrap().text;
    assert_eq!(&text[def.range()], "alert_channel");
    assert!(text[..def.start as usize].ends_with("config "));
    let uses = references(&project, &analysis.table, &here, offset, false);
    assert_eq!(uses.len(), 2);
    let edits = rename(&project, &analysis.table, &here, offset, "security").unwrap();
    assert_eq!(edits.len(), 3);
    let refused = rename(&project, &analysis.table, &here, offset, "flow").unwrap_err();
    assert!(refused.contains("not a name"), "{refused}");
}

#[test]
fn renaming_a_local_read_by_a_record_shorthand_keeps_the_key() {
    let source = "import okta\nflow f {\n  when okta.user_created as e\n  then {\n    let $0id = e.target\n    okta.get_user({ id })\n  }\n}\n";
    let (project, file, offset) = project_at(source);
    let analysis = analyze(&project, &Levels::new(), None);
    let here = occurrences(&project, &analysis.table, project.file(file).unwrap());
    let edits = rename(&project, &analysis.table, &here, offset, "target").unwrap();
    let replacements: Vec<&str> = edits.iter().map(|e| e.replacement.as_str()).collect();
    assert_eq!(replacements, ["target", "id: target"]);
}

#[test]
fn a_rename_that_would_change_what_names_mean_is_refused_with_why() {
    let source = SOURCE.replace(
        "config alert_channel: String = \"#alerts\"",
        "config alert_channel: String = \"#alerts\"\n\n/// Where escalations go.\nconfig escalation: String = \"#ciso\"",
    );
    let rename_at = |marker: &str, new_name: &str| {
        let plain = marker.replace('|', "");
        let source = source.replacen(&plain, &marker.replace('|', "$0"), 1);
        let (project, file, offset) = project_at(&source);
        let analysis = analyze(&project, &Levels::new(), None);
        let here = occurrences(&project, &analysis.table, project.file(file).unwrap());
        rename(&project, &analysis.table, &here, offset, new_name)
    };
    // A config to another config's name: the project would not check.
    let refused = rename_at("channel: |alert_channel,", "escalation").unwrap_err();
    assert!(
        refused.contains("`escalation` already names a config or function"),
        "{refused}"
    );
    // A local to the name of the loop's variable: its uses would be one.
    let refused = rename_at("let |user = ", "login").unwrap_err();
    assert!(
        refused.contains("`login` already names another value in this item"),
        "{refused}"
    );
    // A local to the name of a config the item reads: it would hide it.
    let refused = rename_at("let |user = ", "alert_channel").unwrap_err();
    assert!(
        refused.contains("reads the config `alert_channel`"),
        "{refused}"
    );
    // A flow to another flow's name is refused likewise; a free name is fine.
    assert!(rename_at("let |user = ", "account").is_ok());
    assert!(rename_at("channel: |alert_channel,", "alerts").is_ok());
}

#[test]
fn definition_of_an_action_is_in_the_stdlib() {
    let source = with_cursor("okta.sus|pend_user");
    let (project, file, offset) = project_at(&source);
    let analysis = analyze(&project, &Levels::new(), None);
    let here = occurrences(&project, &analysis.table, project.file(file).unwrap());
    let def = definition(&here, offset).unwrap();
    let stdlib = project.sources.get(def.file).unwrap();
    assert_eq!(stdlib.name, "stdlib/okta.flow");
    assert_eq!(&stdlib.text[def.range()], "suspend_user");
}

#[test]
fn inlay_hints_give_the_types_of_untyped_lets() {
    let (project, file, _) = project_at(&format!("$0{SOURCE}"));
    let analysis = analyze(&project, &Levels::new(), None);
    let hints = inlay_hints(&analysis.table, file, 0, SOURCE.len());
    let text = &project.sources.get(file).unwrap().text;
    let shown: Vec<String> = hints
        .iter()
        .map(|h| format!("{}{}", &text[h.offset - 4..h.offset], h.label))
        .collect();
    assert_eq!(shown, ["user: okta.User"]);
}

#[test]
fn signature_help_names_the_parameter_being_written() {
    let source = SOURCE.replace(
        "slack.post_message(channel: alert_channel, text: login)",
        "slack.post_message(channel: alert_channel, $0",
    );
    let (project, file, offset) = project_at(&source);
    let signature = signature_help(&project, file, offset).unwrap();
    assert!(
        signature
            .label
            .starts_with("write action slack.post_message("),
        "{}",
        signature.label
    );
    assert_eq!(signature.active, Some(1));
}

#[test]
fn signature_help_skips_commas_in_strings_and_follows_names_and_methods() {
    let at = |call: &str| {
        let source = SOURCE.replace(
            "slack.post_message(channel: alert_channel, text: login)",
            call,
        );
        let (project, file, offset) = project_at(&source);
        signature_help(&project, file, offset)
    };
    // A comma inside a string (or a bracket in it) is text.
    let inside = at("slack.post_message(channel: \"a, (b\", $0").unwrap();
    assert_eq!(inside.active, Some(1));
    // Named out of order: the next one is the first not named yet.
    let named = at("slack.post_message(text: \"x\", $0").unwrap();
    assert_eq!(named.active, Some(0), "{named:?}");
    // Built-in methods have signatures too.
    let method = at("login.split($0").unwrap();
    assert_eq!(method.label, "split(separator)");
    assert_eq!(method.active, Some(0));
    let format = at("now().format($0").unwrap();
    assert_eq!(format.params, ["pattern"]);
}

#[test]
fn semantic_tokens_colour_names_by_what_they_name() {
    let (project, file, _) = project_at(&format!("$0{SOURCE}"));
    let analysis = analyze(&project, &Levels::new(), None);
    let here = occurrences(&project, &analysis.table, project.file(file).unwrap());
    let text = &project.sources.get(file).unwrap().text;
    let tokens = semantic_tokens(text, file, &here);
    let kind_of = |word: &str| {
        let at = text.find(word).unwrap();
        tokens
            .iter()
            .find(|t| t.span.start as usize == at)
            .map(|t| t.kind)
    };
    assert_eq!(kind_of("okta.get_user"), Some(TokenKind::Namespace));
    assert_eq!(kind_of("get_user"), Some(TokenKind::Method));
    assert_eq!(kind_of("alert_channel, text"), Some(TokenKind::Config));
    assert_eq!(kind_of("\"suspending"), Some(TokenKind::String));
    assert_eq!(kind_of("user.profile.login}"), Some(TokenKind::Variable));
    assert_eq!(kind_of("when"), Some(TokenKind::Keyword));
    assert_eq!(kind_of("/// Where"), Some(TokenKind::Comment));
    let mut end = 0;
    for token in &tokens {
        assert!(
            token.span.start >= end,
            "tokens overlap at {}",
            token.span.start
        );
        end = token.span.end;
    }
}

#[test]
fn one_file_analysis_reports_only_that_file() {
    let mut files = SourceMap::new();
    files.add(
        "a.flow",
        "config a: Int = nope\nflow f {\n  when okta.nope\n  then { stop }\n}\n",
    );
    files.add(
        "b.flow",
        "flow g {\n  when okta.also_nope\n  then { stop }\n}\n",
    );
    let project = Project::new(files);
    let b = project.file_named("b.flow").unwrap();
    let all = analyze(&project, &Levels::new(), None).diagnostics;
    let only_b = analyze(&project, &Levels::new(), Some(b)).diagnostics;
    assert!(all.iter().any(|d| d.span().unwrap().file != b));
    assert!(!only_b.is_empty());
    assert!(only_b.iter().all(|d| d.span().unwrap().file == b));
    let from_all: Vec<_> = all.iter().filter(|d| d.span().unwrap().file == b).collect();
    assert_eq!(from_all, only_b.iter().collect::<Vec<_>>());
}

/// Applies the fix titled `title` of the diagnostics of `source`.
fn apply_fix(source: &str, title: &str) -> String {
    let (project, file, _) = project_at(&format!("$0{source}"));
    let analysis = analyze(&project, &Levels::new(), Some(file));
    let fix = analysis
        .diagnostics
        .iter()
        .flat_map(|d| &d.fixes)
        .find(|f| f.title.starts_with(title))
        .unwrap_or_else(|| panic!("no fix `{title}` in {:#?}", analysis.diagnostics));
    let edits: Vec<&crate::diagnostics::Edit> = fix.edits.iter().collect();
    crate::diagnostics::fix::apply(source, &edits).0
}

#[test]
fn a_missing_argument_is_added_with_an_empty_value_of_its_type() {
    let without = SOURCE.replace(
        "slack.post_message(channel: alert_channel, text: login)",
        "slack.post_message(channel: alert_channel)",
    );
    let fixed = apply_fix(&without, "add the missing argument `text");
    assert!(
        fixed.contains("slack.post_message(channel: alert_channel, text: \"\")"),
        "{fixed}"
    );
    let fixed = apply_fix(
        &SOURCE.replace("okta.suspend_user(id: user.id)", "okta.suspend_user()"),
        "add the missing argument `id",
    );
    assert!(fixed.contains("okta.suspend_user(id: \"\")"), "{fixed}");
}

#[test]
fn an_undocumented_flow_gets_a_doc_comment_to_complete() {
    let undocumented = SOURCE.replace("/// Suspends an account after a failed sign-in.\n", "");
    let fixed = apply_fix(&undocumented, "add a doc comment");
    assert!(
        fixed.contains("/// What `suspend_on_failure` does, and why.\nflow suspend_on_failure {"),
        "{fixed}"
    );
}

#[test]
fn a_call_nested_in_the_arguments_does_not_hide_the_open_one() {
    let source = SOURCE.replace(
        "slack.post_message(channel: alert_channel, text: login)",
        "slack.post_message(channel: lower(alert_channel), $0",
    );
    let labels = labels(&source);
    assert!(labels.contains(&"text:".to_owned()), "{labels:?}");
    assert!(
        !labels.contains(&"channel:".to_owned()),
        "`channel` is written: {labels:?}"
    );
    let (project, file, offset) = project_at(&source);
    let signature = signature_help(&project, file, offset).unwrap();
    assert_eq!(signature.active, Some(1));
}

#[test]
fn an_extended_field_completes_hovers_and_leads_to_its_extension() {
    let extension = "\n/// Custom attributes.\nextend type okta.UserProfile {\n  /// The last working day.\n  endDate: Time?,\n}\n";
    let source = format!(
        "{}{extension}",
        SOURCE.replace(
            "    okta.suspend_user(id: user.id)\n",
            "    user.profile.$0\n"
        )
    );
    assert!(labels_contain(&source, "endDate"));
    let source = format!(
        "{}{extension}",
        SOURCE.replace(
            "[user.profile.login]",
            r#"[(user.profile.end$0Date ?? now()).format("%Y-%m-%d")]"#
        )
    );
    let (project, file, offset) = project_at(&source);
    let analysis = analyze(&project, &Levels::new(), None);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
    let here = occurrences(&project, &analysis.table, project.file(file).unwrap());
    let def = definition(&here, offset).unwrap();
    let text = &project.sources.get(file).unwrap().text;
    assert_eq!(&text[def.range()], "endDate");
    assert!(text[..def.start as usize].ends_with("working day.\n  "));
    let shown = hover(&project, &analysis.table, &here, file, offset).unwrap();
    assert!(
        shown.markdown.contains("The last working day."),
        "{}",
        shown.markdown
    );
}
