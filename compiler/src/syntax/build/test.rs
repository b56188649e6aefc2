//! Test blocks.

use super::{Builder, Children, children};
use crate::source::Span;
use crate::syntax::ast::{
    Doc, ExpectedCall, GivenOutcome, RunStatus, Test, TestStmt, TestStmtKind,
};
use crate::syntax::parser::Rule;
use pest::iterators::Pair;

impl Builder {
    pub(super) fn test(
        &self,
        doc: Option<Doc>,
        mut parts: Children<'_>,
        span: Span,
    ) -> Option<Test> {
        let name = self.text(parts.next()?, "a test name")?;
        let stmts = std::iter::from_fn(|| parts.next())
            .map(|stmt| self.test_stmt(stmt))
            .collect::<Option<_>>()?;
        Some(Test {
            doc,
            name,
            stmts,
            span,
        })
    }

    fn test_stmt(&self, pair: Pair<'_, Rule>) -> Option<TestStmt> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = Children::new(pair);
        let kind = match rule {
            Rule::given_event => TestStmtKind::GivenEvent {
                event: self.event_ref(parts.next()?)?,
                value: self.expr(parts.next()?)?.0,
            },
            Rule::given_webhook => TestStmtKind::GivenWebhook {
                path: self.text(parts.next()?, "a webhook path")?,
                body: self.expr(parts.next()?)?.0,
            },
            Rule::given_config => TestStmtKind::GivenConfig {
                name: self.ident(parts.next()?),
                value: self.expr(parts.next()?)?.0,
            },
            Rule::given_now => TestStmtKind::GivenNow {
                time: self.expr(parts.next()?)?.0,
            },
            Rule::given_schedule => TestStmtKind::GivenSchedule {
                flow: self.ident(parts.next()?),
            },
            Rule::given_call => {
                let action = self.path(parts.next()?)?;
                let args = match parts.take(Rule::call_args) {
                    Some(args) => Some(self.call_args(args)?.0),
                    None => None,
                };
                let outcome_pair = parts.next()?;
                let outcome = match outcome_pair.as_rule() {
                    Rule::given_returns => {
                        GivenOutcome::Returns(self.expr(children(outcome_pair).next()?)?.0)
                    }
                    _ => self.given_fails(outcome_pair)?,
                };
                TestStmtKind::GivenCall {
                    action,
                    args,
                    outcome,
                }
            }
            Rule::advance => TestStmtKind::Advance {
                by: self.expr(parts.next()?)?.0,
            },
            Rule::expect_call => {
                let negated = parts.take(Rule::expect_no).is_some();
                let expected = self.expected_call(parts)?;
                TestStmtKind::Expect { negated, expected }
            }
            Rule::expect_order => {
                let calls = std::iter::from_fn(|| parts.next())
                    .map(|call| self.expected_call(Children::new(call)))
                    .collect::<Option<_>>()?;
                TestStmtKind::ExpectInOrder { calls }
            }
            Rule::expect_run => {
                let status = match parts.next()?.as_str() {
                    "succeeded" => RunStatus::Succeeded,
                    "failed" => RunStatus::Failed,
                    "stopped" => RunStatus::Stopped,
                    _ => RunStatus::Waiting,
                };
                TestStmtKind::ExpectRun { status }
            }
            _ => return None,
        };
        Some(TestStmt { kind, span })
    }

    fn given_fails(&self, pair: Pair<'_, Rule>) -> Option<GivenOutcome> {
        let mut status = None;
        let mut body = None;
        for part in children(pair) {
            match part.as_rule() {
                Rule::int => status = Some(self.number::<u16>(&part, "an HTTP status")?),
                _ => body = Some(self.expr(part)?.0),
            }
        }
        Some(GivenOutcome::Fails { status, body })
    }

    fn expected_call(&self, mut parts: Children<'_>) -> Option<ExpectedCall> {
        let target = self.path(parts.next()?)?;
        let (args, span) = match parts.next() {
            Some(args) => {
                let span = target.span.to(self.span(&args));
                (Some(self.call_args(args)?.0), span)
            }
            None => (None, target.span),
        };
        Some(ExpectedCall { target, args, span })
    }
}
