//! Top-level items: imports, config, types, functions, connectors, flows, tests.

use serde::Serialize;

use super::{
    Arg, Block, Doc, ErrorHandler, Expr, Ident, Path, RecordLit, RetryPolicy, StringLit, Text,
};
use crate::source::Span;

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum Item {
    /// `import okta`.
    Import(Import),
    /// `config name: Type = default`.
    Config(Config),
    /// `type Name { … }` or `type Name = Type`.
    Type(TypeDef),
    /// `extend type okta.UserProfile { … }`.
    Extend(TypeExtension),
    /// `fn name(a: T) -> U { … }`.
    Fn(FnDef),
    /// `connector name { … }`.
    Connector(Connector),
    /// `flow name { when … where … then … }`.
    Flow(Flow),
    /// `test "name" { … }`.
    Test(Test),
}

impl Item {
    /// Where the item is, doc comment included.
    pub fn span(&self) -> Span {
        match self {
            Self::Import(i) => i.span,
            Self::Config(i) => i.span,
            Self::Type(i) => i.span,
            Self::Extend(i) => i.span,
            Self::Fn(i) => i.span,
            Self::Connector(i) => i.span,
            Self::Flow(i) => i.span,
            Self::Test(i) => i.span,
        }
    }
}

/// `import name`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Import {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The imported connector or module.
    pub name: Ident,
    /// Where the item is.
    pub span: Span,
}

/// `config name: Type = default`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The setting's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// The default value; without one, every environment must set it.
    pub default: Option<Expr>,
    /// Where the item is.
    pub span: Span,
}

/// `type Name { fields }` or `type Name = Type`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeDef {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The type's name.
    pub name: Ident,
    /// What it stands for.
    pub body: TypeDefBody,
    /// Where the item is.
    pub span: Span,
}

/// `extend type okta.UserProfile { fields }`: fields added to a record type
/// declared elsewhere — the custom attributes an organisation adds to its
/// directory's profile. Every file of the project sees them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeExtension {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The extended type, as written (`okta.UserProfile`).
    pub target: Path,
    /// The fields it adds.
    pub fields: Vec<FieldDecl>,
    /// Where the item is.
    pub span: Span,
}

/// The two forms of a type definition.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeDefBody {
    /// A record of fields.
    Record(Vec<FieldDecl>),
    /// Another name for a type.
    Alias(TypeExpr),
}

/// A type as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeExpr {
    /// Its shape.
    pub kind: TypeExprKind,
    /// Whether it ends with `?`.
    pub optional: bool,
    /// Where it is.
    pub span: Span,
}

/// The shapes of a written type.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeExprKind {
    /// `String`, `okta.User`, `List<T>`.
    Named {
        /// The type's name.
        name: Path,
        /// Type arguments between `<` and `>`.
        args: Vec<TypeExpr>,
    },
    /// `{ field: Type, … }`.
    Record(Vec<FieldDecl>),
}

/// `name: Type` inside a record type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldDecl {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The field's name.
    pub name: Ident,
    /// Whether the name was written as a string literal, for JSON keys that
    /// are not words (`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`).
    pub quoted: bool,
    /// The field's type.
    pub ty: TypeExpr,
    /// Where the field is.
    pub span: Span,
}

/// A parameter of a function, action or called flow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    /// The parameter's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Its default value, which makes it optional.
    pub default: Option<Expr>,
    /// Where it is.
    pub span: Span,
}

/// `fn name(params) -> Type { let …; expr }`: a pure helper.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FnDef {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The function's name.
    pub name: Ident,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Its result type.
    pub ret: TypeExpr,
    /// Local bindings before the result.
    pub lets: Vec<LetBinding>,
    /// The result.
    pub body: Expr,
    /// Where the item is.
    pub span: Span,
}

/// `let name: Type = value` inside a function body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LetBinding {
    /// The bound name.
    pub name: Ident,
    /// The declared type, if written.
    pub ty: Option<TypeExpr>,
    /// The value.
    pub value: Expr,
    /// Where the binding is.
    pub span: Span,
}

/// `connector name { settings, actions, events }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Connector {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The connector's name.
    pub name: Ident,
    /// Its members in source order.
    pub members: Vec<ConnectorMember>,
    /// Where the item is.
    pub span: Span,
}

/// A member of a connector.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "member", rename_all = "snake_case")]
pub enum ConnectorMember {
    /// `key: value`, such as `base_url` or `auth`.
    Setting(Setting),
    /// `retry: 4 backoff 500ms..30s on [429]`.
    Retry(RetrySetting),
    /// An action.
    Action(Box<ActionDecl>),
    /// An event.
    Event(EventDecl),
}

impl ConnectorMember {
    /// Where the member is, doc comment included.
    pub fn span(&self) -> Span {
        match self {
            Self::Setting(m) => m.span,
            Self::Retry(m) => m.span,
            Self::Action(m) => m.span,
            Self::Event(m) => m.span,
        }
    }
}

/// `key: value` in a connector.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Setting {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The setting's name.
    pub key: Ident,
    /// Its value.
    pub value: Expr,
    /// Where the member is.
    pub span: Span,
}

/// The connector-wide retry policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RetrySetting {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The policy.
    pub policy: RetryPolicy,
    /// Where the member is.
    pub span: Span,
}

/// Whether an action reads, writes, or destroys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// `read action`: no side effect, may be deduplicated and run early.
    Read,
    /// `action`: a write, run in source order.
    Write,
    /// `destructive action`: a write that removes access or data.
    Destructive,
}

/// `[read|destructive] action name(params) -> Type = METHOD "path" …`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionDecl {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// Read, write or destructive.
    pub kind: ActionKind,
    /// The action's name.
    pub name: Ident,
    /// Its parameters.
    pub params: Vec<Param>,
    /// What it returns, if anything.
    pub ret: Option<TypeExpr>,
    /// How it maps to HTTP; absent for native actions (SMTP, CSV).
    pub http: Option<HttpMapping>,
    /// Where the member is.
    pub span: Span,
}

/// The HTTP request an action sends.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpMapping {
    /// The method.
    pub method: HttpMethod,
    /// The path, relative to the connector's base URL, with `{param}` holes.
    pub path: StringLit,
    /// `query { … }`.
    pub query: Option<RecordLit>,
    /// `headers { … }`.
    pub headers: Option<RecordLit>,
    /// `body expr`.
    pub body: Option<Expr>,
    /// `paginate link`, `paginate cursor(…)`.
    pub paginate: Option<Pagination>,
    /// Where the mapping is.
    pub span: Span,
}

/// HTTP methods an action may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The method as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// `paginate style(args)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pagination {
    /// The pagination style, such as `link` (RFC 8288 `Link` headers).
    pub style: Ident,
    /// The style's settings; `None` when written without parentheses.
    pub args: Option<Vec<Arg>>,
    /// Where it is.
    pub span: Span,
}

/// `event name = "provider.type" : Type`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventDecl {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The event's name in flows.
    pub name: Ident,
    /// The provider's name for it, such as `user.lifecycle.create`.
    pub provider_name: Text,
    /// The payload type.
    pub ty: TypeExpr,
    /// Where the member is.
    pub span: Span,
}

/// `flow name { when … where … then … on error … }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flow {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// The flow's name.
    pub name: Ident,
    /// What starts it: any one of these.
    pub triggers: Vec<Trigger>,
    /// The `where` condition, compiled into the trigger filter.
    pub condition: Option<Expr>,
    /// The `then` block.
    pub body: Block,
    /// The flow-level `on error` handler.
    pub on_error: Option<ErrorHandler>,
    /// Where the item is.
    pub span: Span,
}

/// A `when` clause.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trigger {
    /// What kind of trigger.
    pub kind: TriggerKind,
    /// Where the clause is, `when` included.
    pub span: Span,
}

/// The kinds of trigger.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "trigger", rename_all = "snake_case")]
pub enum TriggerKind {
    /// `when okta.user_created as e`.
    Event {
        /// The event.
        event: EventRef,
        /// The name of the event in the flow.
        binding: Option<Ident>,
    },
    /// `when schedule "0 7 1 * *" tz "Europe/Paris" missed once`.
    Schedule {
        /// The cron expression.
        cron: Text,
        /// The IANA time zone; UTC when absent.
        tz: Option<Text>,
        /// What to do with firings missed while the service was down.
        missed: Option<MissedPolicy>,
    },
    /// `when webhook "/hooks/hr" as req: HrChange`.
    Webhook {
        /// The path served.
        path: Text,
        /// The name of the request in the flow.
        binding: Option<Ident>,
        /// The type of the JSON body.
        body_type: Option<TypeExpr>,
    },
    /// `when called(user_id: String) -> Bool`.
    Called {
        /// The parameters callers pass.
        params: Vec<Param>,
        /// What the flow returns.
        ret: Option<TypeExpr>,
    },
}

/// What happens to schedule firings missed while the service was down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedPolicy {
    /// Run once for all missed firings.
    Once,
    /// Skip them.
    Skip,
}

/// A reference to an event type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRef {
    /// How it is written.
    pub kind: EventRefKind,
    /// Where it is.
    pub span: Span,
}

/// The two ways to name an event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventRefKind {
    /// A declared event: `okta.user_created`.
    Named(Path),
    /// Any provider event by its raw name: `okta.event("user.mfa.factor.deactivate")`.
    Raw {
        /// The connector.
        connector: Ident,
        /// The provider's event type.
        name: Text,
    },
}

/// `test "name" { given …; expect … }`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Test {
    /// Its doc comment.
    pub doc: Option<Doc>,
    /// What the test shows.
    pub name: Text,
    /// Its statements in order.
    pub stmts: Vec<TestStmt>,
    /// Where the item is.
    pub span: Span,
}

/// A statement of a test block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestStmt {
    /// What kind of statement.
    pub kind: TestStmtKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of test statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TestStmtKind {
    /// `given event okta.user_created = value`.
    GivenEvent {
        /// The event type.
        event: EventRef,
        /// Its payload.
        value: Expr,
    },
    /// `given webhook "/path" = value`: a delivery to the flows on that path.
    GivenWebhook {
        /// The path.
        path: Text,
        /// The JSON body.
        body: Expr,
    },
    /// `given config name = value`.
    GivenConfig {
        /// The config.
        name: Ident,
        /// Its value in this test.
        value: Expr,
    },
    /// `given now = time`: a fixed clock.
    GivenNow {
        /// The instant.
        time: Expr,
    },
    /// `given schedule flow_name`: the flow's schedule fires at the test's `now`.
    GivenSchedule {
        /// The scheduled flow.
        flow: Ident,
    },
    /// `given okta.get_user(id: "x") returns value` or `… fails status 404`.
    GivenCall {
        /// The action.
        action: Path,
        /// Which calls it answers; `None` answers every call.
        args: Option<Vec<Arg>>,
        /// The answer.
        outcome: GivenOutcome,
    },
    /// `advance 24h`: moves the clock, firing due waits.
    Advance {
        /// How far.
        by: Expr,
    },
    /// `expect flow_name`, `expect okta.x(args)`, `expect no …`.
    Expect {
        /// Whether written `expect no`.
        negated: bool,
        /// The call or flow expected.
        expected: ExpectedCall,
    },
    /// `expect in order { … }`.
    ExpectInOrder {
        /// The calls, in the order they must happen.
        calls: Vec<ExpectedCall>,
    },
    /// `expect run failed`.
    ExpectRun {
        /// The status the run must end in.
        status: RunStatus,
    },
}

/// A flow or an action call a test expects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpectedCall {
    /// The flow or action.
    pub target: Path,
    /// The arguments to match; `None` matches any call.
    pub args: Option<Vec<Arg>>,
    /// Where it is.
    pub span: Span,
}

/// How a mocked call answers.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GivenOutcome {
    /// `returns value`.
    Returns(Expr),
    /// `fails status 404 with body`.
    Fails {
        /// The HTTP status.
        status: Option<u16>,
        /// The error body.
        body: Option<Expr>,
    },
}

/// How a run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every step succeeded.
    Succeeded,
    /// An action failed and no handler caught it.
    Failed,
    /// `stop` ended it.
    Stopped,
    /// It is suspended in a `wait`.
    Waiting,
}

impl RunStatus {
    /// The status as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::Waiting => "waiting",
        }
    }
}
