//! The type checks: declared types, null safety, the built-in library and
//! its lambdas, operators, secrets and unknown names — and the places where
//! the checker must stay silent (untyped `Json`, earlier errors).

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

/// The diagnostics of `text` as the file `name`, rendered as people read
/// them.
fn rendered(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    sources.add(name, text);
    let project = Project::new(sources);
    let rendered: Vec<String> = idflow_compiler::check(&project)
        .iter()
        .map(|d| {
            idflow_compiler::diagnostics::render::to_text_in(
                d,
                &project.sources,
                idflow_compiler::diagnostics::render::Colors::Off,
            )
        })
        .collect();
    rendered.join("\n")
}

#[test]
fn a_misspelt_argument_is_one_diagnostic_not_also_a_missing_one() {
    let action = "import slack\n\nflow f {\n  when schedule \"0 7 * * *\"\n  then {\n    slack.post_message(chanel: \"#iam\", text: \"hello\")\n  }\n}\n";
    assert_eq!(
        codes(action),
        [("E0302", "did you mean `channel`?".to_owned())]
    );
    let method = "flow f {\n  when schedule \"0 7 * * *\"\n  then {\n    let parts = \"a,b\".split(separater: \",\")\n  }\n}\n";
    assert_eq!(
        codes(method),
        [("E0302", "did you mean `separator`?".to_owned())]
    );
}

#[test]
fn a_backwards_backoff_range_is_refused_on_a_call_too() {
    let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    okta.suspend_user(id: \"x\") retry 3 backoff 1m..500ms\n    okta.unsuspend_user(id: \"x\") retry 3 backoff 500ms..1m\n  }\n}\n";
    assert_eq!(
        codes(text),
        [(
            "E0318",
            "write the shorter delay first: `backoff 500ms..1m`".to_owned()
        )]
    );
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
fn lambda_parameters_hide_outer_names_and_are_typed_by_the_list() {
    let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  where e.target?.find(e => e.typ == \"User\") != null\n  then {}\n}\n";
    assert_eq!(codes(text), [("E0301", "did you mean `type`?".to_owned())]);
}

#[test]
fn a_record_literal_gives_every_field_its_type_requires() {
    let text = "import okta\n\n/// A row.\ntype Row {\n  login: String,\n  name: String,\n  note: String?,\n}\n\nflow f {\n  when okta.user_created as e\n  then {\n    let r: Row = { login: \"x\" }\n    let q: Row = { login: \"x\", nme: \"y\" }\n    let p: Row = { login: \"x\", .. }\n    let full: Row = { login: \"x\", name: \"y\" }\n    okta.create_user(profile: { login: \"a\" })\n  }\n}\n";
    assert_eq!(
        codes(text),
        [
            (
                "E0320",
                "give `name: …`, or end the record with `..` where leaving fields out is meant"
                    .to_owned()
            ),
            // The misspelt key is the one diagnostic: `name` is not also missing.
            ("E0301", "did you mean `name`?".to_owned()),
            (
                "E0320",
                "give `email: …`, or end the record with `..` where leaving fields out is meant"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn narrowing_is_sound_under_or_and_in_the_else_of_and() {
    // `or` proves nothing about either side; the `else` of an `and` does
    // not know which side failed.
    let text = "import okta\n\nflow f {\n  when okta.user_session_start as e\n  where e.actor != null or e.eventType == \"x\"\n  then {\n    okta.suspend_user(id: e.actor.id)\n  }\n}\n\nflow g {\n  when okta.user_session_start as e\n  then {\n    if e.actor != null and e.eventType == \"x\" {\n      okta.suspend_user(id: e.actor.id)\n    } else {\n      okta.suspend_user(id: e.actor.id)\n    }\n  }\n}\n";
    let found: Vec<&str> = codes(text).iter().map(|(c, _)| *c).collect();
    assert_eq!(found, ["E0306", "E0306"], "{:?}", codes(text));
}

#[test]
fn values_without_fields_have_no_fields_to_read() {
    let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    let s = \"x\"\n    let a = s.profile\n    let b = 5.foo\n    let u = okta.get_user(id: \"1\")\n    let c = u.id.foo\n    let d = [1].foo\n    for user in okta.list_users() {\n      let user = \"shadowed\"\n      let m = user.profile\n    }\n  }\n}\n";
    let found: Vec<&str> = codes(text).iter().map(|(c, _)| *c).collect();
    assert_eq!(found, ["E0301"; 5], "{:?}", codes(text));
    let one = "flow f {\n  when schedule \"0 7 * * *\"\n  then {\n    let s = \"x\"\n    let a = s.profile\n  }\n}\n";
    insta::assert_snapshot!(rendered("case.flow", one));
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

/// The built-in library: methods typed by their receiver, lambdas by the list.
mod library {
    use super::codes;

    fn flow(body: &str) -> Vec<&'static str> {
        let text = format!(
            "import okta\nimport slack\n\nconfig admins: List<String> = []\nconfig key: Secret\n\nflow f {{\n  when okta.user_created as e\n  then {{\n{body}\n  }}\n}}\n"
        );
        codes(&text).into_iter().map(|(code, _)| code).collect()
    }

    #[test]
    fn a_realistic_use_of_the_library_is_clean() {
        let body = r##"    let users = okta.list_users(filter: "status eq \"ACTIVE\"")
    let stale = users.filter(u => (u.lastLogin ?? u.created) < now() - 90d)
    let logins = stale.map(u => u.profile.login.lower()).sort_by(l => l)
    let by_department = stale.group_by(u => u.profile.department ?? "none")
    for department in by_department.keys() {
      let members = by_department[department] ?? []
      slack.post_message(channel: "#iam", text: "{department}: {members.len()} stale, first {logins.first() ?? "-"}")
    }
    let report = csv.encode(stale.map(u => { login: u.profile.login, last: u.lastLogin?.format("%Y-%m-%d") ?? "never" }))
    let digest = hash.sha256(report)
    let signature = hmac.sha256(key, report)
    let instant = parse_time("2026-03-29T01:30:00+01:00") ?? now()
    let days = days_between(instant, now()) + logins.join(",").split(",").len()
    let admin = e.actor?.alternateId in admins or users.any(u => u.profile.login.ends_with("@chu-exemple.fr"))"##;
        assert_eq!(flow(body), Vec::<&str>::new());
    }

    #[test]
    fn lambda_bodies_are_checked_against_the_element_type() {
        let body = "    let users = okta.list_users()\n    let x = users.filter(u => u.profil.login == \"a\")";
        assert_eq!(flow(body), ["E0301"]);
    }

    #[test]
    fn a_predicate_must_return_a_condition_and_a_key_must_order() {
        let body = "    let users = okta.list_users()\n    let a = users.filter(u => u.id)\n    let b = users.sort_by(u => u.profile)";
        assert_eq!(flow(body), ["E0312", "E0312"]);
    }

    #[test]
    fn sum_flat_map_reduce_and_chunk_are_typed() {
        let clean = "    let shifts = [{ who: \"a\", hours: 12 }, { who: \"b\", hours: 8 }]\n    let total: Int = shifts.sum(s => s.hours)\n    let mean: Float = [1.5, 2.5].sum(x => x) / 2\n    let who: List<String> = [shifts].flat_map(l => l.map(s => s.who))\n    let names: String = shifts.reduce(\"\", (acc, s) => acc + s.who)\n    let batches: List<List<Int>> = [1, 2, 3].chunk(2)";
        assert_eq!(flow(clean), Vec::<&str>::new());
        // What each one takes, and what it gives.
        for (body, expected) in [
            ("    let x = [\"a\"].sum(s => s)", vec!["E0312"]),
            ("    let x = [1].flat_map(n => n)", vec!["E0312"]),
            (
                "    let x = [1].reduce(0, (acc, n) => \"s\")",
                vec!["E0312"],
            ),
            ("    let x = [1].reduce(0, n => n)", vec!["E0314"]),
            ("    let x: Int = [1.5].sum(x => x)", vec!["E0312"]),
            ("    let x: List<Int> = [1, 2].chunk(2)", vec!["E0312"]),
            ("    let x = [1].chunk(\"2\")", vec!["E0304"]),
            (
                "    let x = [1].reduce(key, (acc, n) => acc)",
                vec!["E0315"],
            ),
        ] {
            assert_eq!(flow(body), expected, "{body}");
        }
    }

    #[test]
    fn results_carry_their_types_through_chains() {
        // `first` may give null: reading through it is an error.
        let body = "    let users = okta.list_users()\n    let first = users.map(u => u.profile.login).first().upper()";
        assert_eq!(flow(body), ["E0306"]);
        let body = "    let n: String = okta.list_users().len()";
        assert_eq!(flow(body), ["E0312"]);
    }

    #[test]
    fn unknown_methods_and_module_functions_suggest_the_nearest() {
        let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    let a = e.eventType.uper()\n    let b = json.encod(e)\n  }\n}\n";
        assert_eq!(
            codes(text),
            [
                ("E0313", "did you mean `upper`?".to_owned()),
                ("E0313", "did you mean `encode`?".to_owned())
            ]
        );
    }

    #[test]
    fn records_and_numbers_have_no_methods_and_json_any_method() {
        let body =
            "    let a = e.published.len()\n    let b = e.debugContext?.debugData?.x?.anything()";
        assert_eq!(flow(body), ["E0313"]);
        let body = "    let a = okta.get_user(id: \"1\").upper()";
        assert_eq!(flow(body), ["E0313"]);
    }

    #[test]
    fn arguments_of_built_ins_are_counted_and_typed() {
        let body = "    let a = e.uuid.split(\",\", \";\")\n    let b = e.uuid.replace(\"a\")\n    let c = e.uuid.starts_with(1)";
        assert_eq!(flow(body), ["E0314", "E0303", "E0304"]);
    }

    #[test]
    fn operators_check_their_operands() {
        let body = "    let a = e.uuid + 1\n    let b = now() + now()\n    let c = e.published < 3\n    let d = e.uuid == 2\n    let f = 1 in [\"a\"]";
        assert_eq!(flow(body), ["E0311", "E0311", "E0311", "E0311", "E0311"]);
        let body = "    let a = now() - 90d\n    let b = (now() - now()) * 2\n    let c = 7 % 2 + 1.5\n    let d = [\"a\"] + [\"b\"]";
        assert_eq!(flow(body), Vec::<&str>::new());
    }

    #[test]
    fn arithmetic_on_a_value_that_may_be_null_is_an_error() {
        let body = "    let a = e.actor?.displayName + \"!\"\n    let b = (e.actor?.displayName ?? \"\") + \"!\"";
        assert_eq!(flow(body), ["E0311"]);
    }

    #[test]
    fn secrets_never_become_text() {
        let body = "    let a = \"key={key}\"\n    let b = \"k\" + key\n    let c = json.encode(key)\n    slack.post_message(channel: \"#x\", text: key)\n    let d = hmac.sha256(key, \"message\")";
        assert_eq!(flow(body), ["E0315", "E0315", "E0315", "E0304"]);
    }

    #[test]
    fn group_by_keys_are_text() {
        let body = "    let groups = [1, 2, 3].group_by(n => n % 2)\n    let next = groups.keys().map(k => k + 1)\n    let fine = groups.keys().map(k => k + \"!\")";
        assert_eq!(flow(body), ["E0311"]);
    }

    #[test]
    fn a_secret_inside_a_record_or_list_never_becomes_text_either() {
        let body = "    let a = json.encode({ t: key })
    let rows = [{ t: key }]
    let b = csv.encode(rows)
    let c = \"{ { t: key } }\"
    let d = json.encode({ t: \"fine\" })";
        assert_eq!(flow(body), ["E0315", "E0315", "E0315"]);
    }

    #[test]
    fn unknown_names_are_reported_once_and_suggest_the_nearest() {
        let body = "    let login = e.actor?.alternateId\n    slack.post_message(channel: \"#x\", text: logn ?? \"\")\n    let a = nw()";
        assert_eq!(flow(body), ["E0310", "E0310"]);
        let text = "flow f {\n  when called(x: String)\n  then {\n    if x == \"a\" {\n      let inner = 1\n    }\n    let y = inner\n  }\n}\n";
        assert_eq!(codes(text), [("E0310", String::new())]);
    }

    #[test]
    fn names_in_a_file_with_syntax_errors_are_not_reported() {
        // The broken `let` is dropped by recovery; `user` is not unknown.
        let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    let user = okta.get_user(id: )\n    okta.suspend_user(id: user.id)\n  }\n}\n";
        let found: Vec<&str> = codes(text).into_iter().map(|(c, _)| c).collect();
        assert!(!found.contains(&"E0310"), "{found:?}");
    }

    #[test]
    fn project_functions_are_typed_by_their_signature() {
        let text = "/// Whether a login is an administrator's.\nfn is_admin(login: String) -> Bool {\n  login.starts_with(\"adm.\")\n}\n\nfn bad(n: Int) -> String {\n  n + 1\n}\n\nflow f {\n  when called(x: String)\n  then {\n    let a: Bool = is_admin(x)\n    let b = is_admin(login: 3)\n    let c = is_admin(x, x)\n  }\n}\n";
        let found: Vec<&str> = codes(text).into_iter().map(|(c, _)| c).collect();
        assert_eq!(found, ["E0312", "E0304", "E0314"]);
    }
}

/// Actions run as statements, in the order the plan gives them: not in
/// lambdas, not where they would run only sometimes.
#[test]
fn actions_in_lambdas_conditional_operands_and_else_if_conditions_are_errors() {
    let text = "import okta\n\nflow f {\n  when called(ids: List<String>, flag: Bool)\n  then {\n    let users = ids.map(i => okta.get_user(id: i))\n    let ok = flag and okta.get_user(id: \"1\").status == \"ACTIVE\"\n    if flag {\n      stop\n    } else if okta.get_user(id: \"2\").status == \"ACTIVE\" {\n      stop\n    }\n    let fine = okta.get_user(id: \"3\")\n  }\n}\n";
    let found: Vec<&str> = codes(text).into_iter().map(|(c, _)| c).collect();
    assert_eq!(found, ["E0307", "E0307", "E0307"]);
}

#[test]
fn extended_fields_are_typed_in_every_file_and_unknown_ones_still_reported() {
    let mut sources = SourceMap::new();
    sources.add(
        "profile.flow",
        "import okta\n\nextend type okta.UserProfile {\n  endDate: Time?,\n}\n",
    );
    sources.add(
        "flows.flow",
        "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    let u = okta.get_user(id: \"00u1\")\n    let end: Time = u.profile.endDate ?? now()\n    let days: Int = u.profile.endDate\n    okta.suspend_user(id: u.profile.endDat ?? \"\")\n  }\n}\n",
    );
    let project = Project::new(sources);
    let found: Vec<(&str, String)> = idflow_compiler::check(&project)
        .into_iter()
        .map(|d| (d.code.id, d.help.unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            ("E0312", String::new()),
            ("E0301", "did you mean `endDate`?".to_owned())
        ]
    );
}

mod connector_settings {
    use super::codes;

    fn connector(settings: &str) -> Vec<(&'static str, String)> {
        codes(&format!(
            "/// An API.\nconnector hr {{\n{settings}\n  read action ping() = GET \"/ping\"\n}}\n"
        ))
    }

    #[test]
    fn every_form_the_runtime_reads_is_accepted() {
        let settings = [
            "  base_url: env(\"HR_URL\")",
            "  auth: header(\"Authorization\", \"SSWS \" + secret(\"HR_TOKEN\"))",
            "  max_concurrency: env(\"HR_CONCURRENCY\") ?? 4",
            "  max_rate: 10",
            "  idempotency_header: \"Idempotency-Key\"",
        ];
        assert_eq!(connector(&settings.join("\n")), []);
        for auth in [
            "bearer(secret(\"T\"))",
            "basic(env(\"U\"), secret(\"P\"))",
            "oauth2_private_key_jwt(env(\"U\"), env(\"C\"), secret(\"K\"), \"okta.users.read\")",
        ] {
            assert_eq!(connector(&format!("  auth: {auth}")), [], "{auth}");
        }
    }

    #[test]
    fn what_would_be_ignored_or_misread_is_refused() {
        let refused = [
            ("  max_concurency: 4", "did you mean `max_concurrency`?"),
            ("  base_url: \"https://{env(\"HOST\")}\"", "write text"),
            ("  base_url: env(HOST)", "write text"),
            ("  base_url: secret(\"T\") ?? \"x\"", "write text"),
            (
                "  auth: token(secret(\"T\"))",
                "write `header(name, value)`",
            ),
            ("  auth: basic(env(\"U\"))", "write `header(name, value)`"),
            (
                "  auth: header(env(\"H\"), secret(\"T\"))",
                "write `header(name, value)` (its name plain text)",
            ),
            ("  auth: bearer(\"Bearer {secret(\"T\")}\")", "write text"),
            ("  max_rate: 0", ""),
            // The email engine's settings, on an HTTP connector.
            ("  port: 2525", ""),
            ("  security: \"tls\"", ""),
        ];
        for (setting, help) in refused {
            let found = connector(setting);
            assert_eq!(found.len(), 1, "{setting}: {found:?}");
            let (code, found_help) = found.first().unwrap();
            assert_eq!(*code, "E0317", "{setting}");
            assert!(found_help.starts_with(help), "{setting}: {found_help}");
        }
    }

    #[test]
    fn each_engine_reads_its_own_settings() {
        let text = "/// An API.\nconnector hr {\n  base_url: env(\"HR_URL\")\n  port: 2525\n  read action ping() = GET \"/ping\"\n}\n";
        insta::assert_snapshot!(super::rendered("hr.flow", text));
    }

    #[test]
    fn the_email_engine_refuses_the_http_settings() {
        let found = codes(
            "/// A relay.\nconnector email {\n  host: env(\"SMTP_HOST\")\n  max_rate: 5\n  port: 25\n}\n",
        );
        // (The stdlib declares `email` too: E0201 says so.)
        let settings: Vec<_> = found.iter().filter(|(code, _)| *code == "E0317").collect();
        assert_eq!(settings.len(), 1, "{found:?}");
    }
}

mod slips {
    //! Mistakes someone used to another language makes, each with help that
    //! names what idflow has instead.

    const HEAD: &str = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n";

    fn text(body: &str) -> String {
        format!("{HEAD}{body}\n  }}\n}}\n")
    }

    #[test]
    fn a_method_called_as_a_function_points_to_the_method() {
        let text = text("    let t = now()\n    let year = format(t, \"%Y\")");
        let codes = super::codes(&text);
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert!(codes[0].1.contains("`t.format(…)`"), "{codes:?}");
        insta::assert_snapshot!(super::rendered("f.flow", &text));
    }

    #[test]
    fn a_function_no_type_has_as_a_method_stays_unknown() {
        let text = text("    let year = formatt(now(), \"%Y\")");
        let rendered = super::rendered("f.flow", &text);
        assert!(
            rendered.contains("unknown function `formatt`"),
            "{rendered}"
        );
        assert!(!rendered.contains("is a method"), "{rendered}");
    }

    #[test]
    fn a_text_compared_with_a_time_suggests_parsing_it() {
        let text =
            text("    if e.published < \"2024-01-01T00:00:00Z\" {\n      stop \"old\"\n    }");
        insta::assert_snapshot!(super::rendered("f.flow", &text));
    }
}

mod locations {
    //! Every header of a rendered report names the place its snippet shows,
    //! in lines and characters, whatever characters come before it.

    #[test]
    fn a_label_in_the_standard_library_is_headed_by_its_own_line() {
        let text = "import okta\n\nflow f {\n  when okta.user_created as e\n  then {\n    let r: okta.LogEvent = { uuid: \"x\" }\n  }\n}\n";
        let rendered = super::rendered("f.flow", text);
        let (_, okta) = idflow_compiler::stdlib::FILES
            .iter()
            .find(|(name, _)| *name == "stdlib/okta.flow")
            .unwrap();
        let line = okta.lines().position(|l| l == "type LogEvent {").unwrap() + 1;
        assert!(
            okta.lines().take(line).any(|l| !l.is_ascii()),
            "the case needs a multi-byte character above the label"
        );
        assert!(
            rendered.contains(&format!("stdlib/okta.flow:{line}:6 ]")),
            "{rendered}"
        );
    }

    #[test]
    fn columns_count_characters() {
        let line = "    let x = { a: \"café — crème\", b: 1 + \"a\" }";
        let text = format!(
            "import okta\n\nflow f {{\n  when okta.user_created as e\n  then {{\n{line}\n  }}\n}}\n"
        );
        let rendered = super::rendered("f.flow", &text);
        let column = line[..line.find("1 +").unwrap()].chars().count() + 1;
        assert!(
            rendered.contains(&format!("f.flow:6:{column} ]")),
            "{rendered}"
        );
    }
}

mod handlers {
    //! What an `on error(err)` handler binds.

    #[test]
    fn err_has_a_message_and_nothing_else() {
        let text = "import okta\nimport slack\n\nflow f {\n  when okta.user_created as e\n  then {\n    okta.get_user(id: e.uuid) on error(err) {\n      slack.post_message(channel: \"#it\", text: \"failed: {err.message}\")\n    }\n  }\n  on error(err) {\n    slack.post_message(channel: \"#it\", text: err.reason)\n  }\n}\n";
        let codes = super::codes(text);
        assert_eq!(codes.len(), 1, "{codes:?}");
        insta::assert_snapshot!(super::rendered("f.flow", text));
    }
}
