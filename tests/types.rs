//! The type checks where declarations say a value's type, and the places
//! where they must stay silent until the full checker knows more.

use idflow_compiler::project::Project;
use idflow_compiler::source::SourceMap;

fn codes(text: &str) -> Vec<(&'static str, String)> {
    let mut sources = SourceMap::new();
    sources.add("case.flow", text);
    let project = Project::new(sources);
    idflow_compiler::check(&project)
        .into_iter()
        .map(|d| (d.code.id, d.help.unwrap_or_default()))
        .collect()
}

#[test]
fn loop_variables_over_action_results_are_typed() {
    let text = "import okta\n\nflow f {\n  when okta.user_deactivated as e\n  then {\n    for g in okta.list_user_groups(user: \"00u1\") {\n      okta.remove_from_group(user: \"00u1\", group: g.profile.nme)\n    }\n  }\n}\n";
    assert_eq!(codes(text), [("E0301", "did you mean `name`?".to_owned())]);
}

#[test]
fn let_with_a_declared_type_is_typed() {
    let text = "import okta\n\nflow f {\n  when okta.user_created\n  then {\n    let u: okta.User = okta.get_user(id: \"00u1\")\n    okta.suspend_user(id: u.profil.login)\n  }\n}\n";
    assert_eq!(
        codes(text),
        [("E0301", "did you mean `profile`?".to_owned())]
    );
}

#[test]
fn lambda_parameters_hide_outer_names_and_are_not_checked() {
    let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  where e.target?.find(e => e.kind == \"User\") != null\n  then {}\n}\n";
    assert_eq!(codes(text), []);
}

#[test]
fn open_maps_and_json_are_not_checked() {
    let text = "import okta\n\nflow f {\n  when okta.user_profile_updated as e\n  where e.debugContext?.debugData?.changedAttributes?.anything != null\n  then {}\n}\n";
    assert_eq!(codes(text), []);
}

#[test]
fn called_flows_check_their_arguments() {
    let text = "import okta\n\nflow leaver {\n  when okta.user_deactivated\n  then {\n    call notify(user: \"00u1\")\n  }\n}\n\nflow notify {\n  when called(user_id: String, urgent: Bool = false)\n  then {}\n}\n";
    let found: Vec<&str> = codes(text).iter().map(|(c, _)| *c).collect();
    // The missing argument is reported at the call, which starts first.
    assert_eq!(found, ["E0303", "E0302"]);
}

#[test]
fn a_connector_name_hidden_by_a_local_is_not_an_action_call() {
    let text = "import okta\n\nflow f {\n  when okta.user_created as okta\n  then {\n    let x = okta.uuid\n  }\n}\n";
    assert_eq!(codes(text), []);
}

#[test]
fn record_literals_are_checked_against_the_type_they_stand_for() {
    let text = "import scim\n\nflow f {\n  when called(id: String)\n  then {\n    scim.create_user(user: { schemas: [], userNam: id, emails: [{ value: id, primry: true }] })\n  }\n}\n";
    assert_eq!(
        codes(text),
        [
            ("E0301", "did you mean `userName`?".to_owned()),
            ("E0301", "did you mean `primary`?".to_owned())
        ]
    );
}

#[test]
fn tests_are_checked_against_the_declarations_but_may_leave_arguments_out() {
    let text = "import okta\n\ntest \"t\" {\n  given event okta.user_created = { uuid: \"u\", targt: [] }\n  given okta.get_user(id: \"00u1\") returns { id: \"00u1\", profle: { login: \"a\" } }\n  expect okta.add_to_group(user: \"00u1\")\n  expect okta.suspend_user(user: \"00u1\")\n}\n";
    let found: Vec<(&str, String)> = codes(text);
    assert_eq!(
        found,
        [
            ("E0301", "did you mean `target`?".to_owned()),
            ("E0301", "did you mean `profile`?".to_owned()),
            ("E0302", String::new()),
        ]
    );
}

mod null_safety {
    use super::codes;

    fn flow(where_clause: &str, body: &str) -> Vec<&'static str> {
        let text = format!(
            "import okta\n\nflow f {{\n  when okta.user_session_start as e\n{where_clause}  then {{\n{body}\n  }}\n}}\n"
        );
        codes(&text).into_iter().map(|(code, _)| code).collect()
    }

    #[test]
    fn a_plain_read_through_an_optional_is_an_error_and_safe_reads_are_not() {
        assert_eq!(flow("", "    let id = e.actor.id"), ["E0306"]);
        assert_eq!(flow("", "    let id = e.actor?.id"), Vec::<&str>::new());
        assert_eq!(
            flow("", "    let id = e.actor?.id ?? \"unknown\""),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn where_narrows_the_whole_then_block() {
        assert_eq!(
            flow(
                "  where e.actor != null\n",
                "    okta.suspend_user(id: e.actor.id)"
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn if_narrows_its_block_and_else_the_opposite() {
        assert_eq!(
            flow(
                "",
                "    if e.actor != null {\n      let a = e.actor.id\n    } else {\n      let b = e.actor.id\n    }"
            ),
            ["E0306"]
        );
        assert_eq!(
            flow(
                "",
                "    if e.actor == null {\n      stop\n    } else {\n      let b = e.actor.id\n    }"
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn an_early_stop_narrows_the_rest_of_the_block() {
        assert_eq!(
            flow(
                "",
                "    if e.actor == null {\n      stop \"no actor\"\n    }\n    let a = e.actor.id"
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn and_or_narrow_their_right_side_and_a_path_narrows_its_prefixes() {
        assert_eq!(
            flow("  where e.actor != null and e.actor.id != \"\"\n", ""),
            Vec::<&str>::new()
        );
        assert_eq!(
            flow("  where e.actor == null or e.actor.id == \"x\"\n", ""),
            Vec::<&str>::new()
        );
        assert_eq!(
            flow(
                "  where e.client?.geographicalContext?.country != null\n",
                "    let c = e.client.geographicalContext.country"
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn a_loop_over_a_list_that_may_be_null_is_an_error() {
        assert_eq!(
            flow("", "    for t in e.target {\n      let id = t.id\n    }"),
            ["E0306"]
        );
        assert_eq!(
            flow(
                "",
                "    for t in e.target ?? [] {\n      let id = t.id\n    }"
            ),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn a_value_that_may_be_null_does_not_fit_a_parameter_that_may_not() {
        assert_eq!(
            flow("", "    okta.suspend_user(id: e.actor?.id)"),
            ["E0304"]
        );
        // One mistake, one diagnostic: the plain read is reported, not the argument too.
        assert_eq!(flow("", "    okta.suspend_user(id: e.actor.id)"), ["E0306"]);
    }
}
