//! The `test` blocks of a project, read into what a test runner needs: each
//! `given` and `expect` as data, its values as [`Pattern`]s, its event named
//! by the provider's event type. Reading files (`json("…")`) and running
//! flows are the runner's; this module is pure.

mod pattern;

pub use pattern::{Pattern, PatternError};

use crate::project::{Origin, Project};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Arg, ExpectedCall, GivenOutcome, Item, RunStatus, Test, TestStmtKind};

/// One `test "name" { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    /// What the test shows.
    pub name: String,
    /// The file it is in.
    pub file: FileId,
    /// Where it is.
    pub span: Span,
    /// Its lines, in order.
    pub steps: Vec<TestStep>,
}

/// A call a test names: a flow (`expect block_signin`) or an action with
/// the arguments to match (`expect okta.suspend_user(id: "00u1")`).
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A flow: that it fires.
    Flow(String),
    /// An action call.
    Action {
        /// The connector.
        connector: String,
        /// The action.
        action: String,
        /// The arguments to match, by name; none matches any call.
        args: Option<Vec<(String, Pattern)>>,
    },
}

/// How a `given` call answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// `returns value`.
    Returns(Pattern),
    /// `fails [status N] [with body]`.
    Fails {
        /// The HTTP status.
        status: Option<u16>,
        /// The error's body.
        body: Option<Pattern>,
    },
}

/// One line of a test.
#[derive(Clone, Debug, PartialEq)]
pub enum TestStep {
    /// `given event okta.user_created = value`.
    Event {
        /// The connector.
        connector: String,
        /// The provider's event type.
        event_type: String,
        /// The payload.
        value: Pattern,
        /// Where the line is.
        span: Span,
    },
    /// `given webhook "/path" = body`.
    Webhook {
        /// The path.
        path: String,
        /// The body.
        body: Pattern,
        /// Where the line is.
        span: Span,
    },
    /// `given config name = value`.
    Config {
        /// The config.
        name: String,
        /// Its value in this test.
        value: Pattern,
        /// Where the line is.
        span: Span,
    },
    /// `given now = time("…")`.
    Now {
        /// The instant.
        value: Pattern,
        /// Where the line is.
        span: Span,
    },
    /// `given schedule flow_name`.
    Schedule {
        /// The scheduled flow.
        flow: String,
        /// Where the line is.
        span: Span,
    },
    /// `given okta.get_user(id: "00u1") returns …`.
    Given {
        /// The connector.
        connector: String,
        /// The action.
        action: String,
        /// Which calls it answers; none answers every call.
        args: Option<Vec<(String, Pattern)>>,
        /// The answer.
        answer: Answer,
        /// Where the line is.
        span: Span,
    },
    /// `advance 24h`.
    Advance {
        /// How far, in milliseconds.
        by: Pattern,
        /// Where the line is.
        span: Span,
    },
    /// `expect …` or `expect no …`.
    Expect {
        /// Whether written `expect no`.
        negated: bool,
        /// What is expected.
        target: Target,
        /// Where the line is.
        span: Span,
    },
    /// `expect in order { … }`.
    InOrder {
        /// The calls, in the order they must happen, each with its span.
        calls: Vec<(Target, Span)>,
        /// Where the block is.
        span: Span,
    },
    /// `expect run failed`.
    Run {
        /// The status the run must end in.
        status: RunStatus,
        /// Where the line is.
        span: Span,
    },
}

/// The tests of a project's own files (not the stdlib's), in file order;
/// a value that cannot be read is an error with its place.
pub fn cases(project: &Project) -> Result<Vec<TestCase>, Vec<PatternError>> {
    let (symbols, _) = crate::resolve::resolve_with_symbols(project);
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for file in &project.files {
        if file.origin != Origin::Project {
            continue;
        }
        for item in &file.parsed.module.items {
            if let Item::Test(test) = item {
                match case(test, file.file, &symbols) {
                    Ok(case) => cases.push(case),
                    Err(error) => errors.push(error),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

fn case(
    test: &Test,
    file: FileId,
    symbols: &crate::resolve::Symbols<'_>,
) -> Result<TestCase, PatternError> {
    let mut steps = Vec::with_capacity(test.stmts.len());
    for stmt in &test.stmts {
        let span = stmt.span;
        steps.push(match &stmt.kind {
            TestStmtKind::GivenEvent { event, value } => {
                let (connector, event_type) = crate::plan::provider_event(symbols, event);
                TestStep::Event {
                    connector,
                    event_type,
                    value: Pattern::of(value)?,
                    span,
                }
            }
            TestStmtKind::GivenWebhook { path, body } => TestStep::Webhook {
                path: path.value.clone(),
                body: Pattern::of(body)?,
                span,
            },
            TestStmtKind::GivenConfig { name, value } => TestStep::Config {
                name: name.name.clone(),
                value: Pattern::of(value)?,
                span,
            },
            TestStmtKind::GivenSchedule { flow } => TestStep::Schedule {
                flow: flow.name.clone(),
                span,
            },
            TestStmtKind::GivenNow { time } => TestStep::Now {
                value: Pattern::of(time)?,
                span,
            },
            TestStmtKind::GivenCall {
                action,
                args,
                outcome,
            } => {
                let (connector, action_name) = two(&action.segments, action.span)?;
                // In source order: the arguments, then the answer.
                let args = args.as_deref().map(named).transpose()?;
                let answer = match outcome {
                    GivenOutcome::Returns(value) => Answer::Returns(Pattern::of(value)?),
                    GivenOutcome::Fails { status, body } => Answer::Fails {
                        status: *status,
                        body: body.as_ref().map(Pattern::of).transpose()?,
                    },
                };
                TestStep::Given {
                    connector,
                    action: action_name,
                    args,
                    answer,
                    span,
                }
            }
            TestStmtKind::Advance { by } => TestStep::Advance {
                by: Pattern::of(by)?,
                span,
            },
            TestStmtKind::Expect { negated, expected } => TestStep::Expect {
                negated: *negated,
                target: target(expected)?,
                span,
            },
            TestStmtKind::ExpectInOrder { calls } => TestStep::InOrder {
                calls: calls
                    .iter()
                    .map(|c| Ok((target(c)?, c.span)))
                    .collect::<Result<_, PatternError>>()?,
                span,
            },
            TestStmtKind::ExpectRun { status } => TestStep::Run {
                status: *status,
                span,
            },
        });
    }
    Ok(TestCase {
        name: test.name.value.clone(),
        file,
        span: test.span,
        steps,
    })
}

/// `connector.action` of a path.
fn two(
    segments: &[crate::syntax::ast::Ident],
    span: Span,
) -> Result<(String, String), PatternError> {
    match segments {
        [connector, action] => Ok((connector.name.clone(), action.name.clone())),
        _ => Err(PatternError {
            message: "an action is named `connector.action`".to_owned(),
            span,
        }),
    }
}

/// Named arguments as patterns.
fn named(args: &[Arg]) -> Result<Vec<(String, Pattern)>, PatternError> {
    args.iter()
        .map(|arg| match &arg.name {
            Some(name) => Ok((name.name.clone(), Pattern::of(&arg.value)?)),
            None => Err(PatternError {
                message: "a test names each argument: `name: value`".to_owned(),
                span: arg.span,
            }),
        })
        .collect()
}

/// A flow or an action a test expects.
fn target(expected: &ExpectedCall) -> Result<Target, PatternError> {
    match expected.target.segments.as_slice() {
        [flow] if expected.args.is_none() => Ok(Target::Flow(flow.name.clone())),
        _ => {
            let (connector, action) = two(&expected.target.segments, expected.span)?;
            Ok(Target::Action {
                connector,
                action,
                args: expected.args.as_deref().map(named).transpose()?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::value::Value;
    use crate::source::SourceMap;

    fn cases_of(text: &str) -> Result<Vec<TestCase>, Vec<PatternError>> {
        let mut sources = SourceMap::new();
        sources.add("t.flow", text);
        cases(&Project::new(sources))
    }

    #[test]
    fn a_test_block_is_read_into_steps_with_patterns() {
        let text = "import okta\n\ntest \"t\" {\n  given event okta.user_created = json(\"e.json\")\n  given okta.get_user(id: \"00u1\") returns { id: \"00u1\", n: -2 }\n  given okta.suspend_user fails status 429 with { errorCode: \"E0000047\" }\n  advance 24h\n  expect okta.update_profile(profile: { department: \"Urgences\", .. })\n  expect no okta.deactivate_user\n  expect run failed\n}\n";
        let cases = cases_of(text).unwrap();
        let [case] = cases.as_slice() else {
            panic!("{cases:?}")
        };
        assert_eq!(case.name, "t");
        let steps = &case.steps;
        assert!(matches!(
            &steps[0],
            TestStep::Event { connector, event_type, value: Pattern::JsonFile(f), .. }
                if connector == "okta" && event_type == "user.lifecycle.create" && f == "e.json"
        ));
        let TestStep::Given {
            args: Some(args),
            answer: Answer::Returns(value),
            ..
        } = &steps[1]
        else {
            panic!("{:?}", steps[1])
        };
        assert_eq!(
            args,
            &[(
                "id".to_owned(),
                Pattern::Value(Value::String("00u1".to_owned()))
            )]
        );
        assert_eq!(
            value.to_value().unwrap(),
            Value::Record(
                [
                    ("id".to_owned(), Value::String("00u1".to_owned())),
                    ("n".to_owned(), Value::Int(-2)),
                ]
                .into()
            )
        );
        assert!(matches!(
            &steps[2],
            TestStep::Given {
                args: None,
                answer: Answer::Fails {
                    status: Some(429),
                    body: Some(_)
                },
                ..
            }
        ));
        assert!(matches!(
            &steps[3],
            TestStep::Advance {
                by: Pattern::Value(Value::Duration(86_400_000)),
                ..
            }
        ));
        assert!(matches!(
            &steps[4],
            TestStep::Expect {
                negated: false,
                target: Target::Action { args: Some(_), .. },
                ..
            }
        ));
        assert!(matches!(
            &steps[5],
            TestStep::Expect {
                negated: true,
                target: Target::Action { args: None, .. },
                ..
            }
        ));
        assert!(matches!(
            &steps[6],
            TestStep::Run {
                status: RunStatus::Failed,
                ..
            }
        ));
    }

    #[test]
    fn patterns_match_partially_and_exactly() {
        let text = "import okta\n\ntest \"t\" {\n  expect okta.update_profile(profile: { department: \"Urgences\", tags: [_, 2], .. })\n  expect okta.update_profile(profile: { department: \"Urgences\" })\n}\n";
        let cases = cases_of(text).unwrap();
        let pattern = |i: usize| match &cases[0].steps[i] {
            TestStep::Expect {
                target: Target::Action {
                    args: Some(args), ..
                },
                ..
            } => args[0].1.clone(),
            other => panic!("{other:?}"),
        };
        let profile = Value::from_json(
            &serde_json::json!({"department": "Urgences", "tags": ["a", 2.0], "title": "IDE"}),
        );
        assert!(pattern(0).matches(&profile), "open record, `_`, 2 == 2.0");
        assert!(
            !pattern(1).matches(&profile),
            "a closed record has exactly its fields"
        );
        let other =
            Value::from_json(&serde_json::json!({"department": "Pharmacie", "tags": ["a", 2]}));
        assert!(!pattern(0).matches(&other));
        assert_eq!(
            pattern(0).show(),
            "{ department: \"Urgences\", tags: [_, 2], .. }"
        );
    }

    #[test]
    fn a_value_that_is_not_a_literal_is_an_error_at_its_place() {
        let text = "import okta\n\nconfig c: String = \"x\"\n\ntest \"t\" {\n  given okta.get_user(id: c) returns { id: \"{c}\" }\n}\n";
        let errors = cases_of(text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("literals"), "{errors:?}");
        let given = Pattern::Any.to_value().unwrap_err();
        assert!(given.contains("written in full"), "{given}");
    }
}
