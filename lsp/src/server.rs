//! The protocol's entry points: each locks the workspace, asks a handler,
//! and answers. Changes are checked at once for the file that changed;
//! the whole project is checked again once typing pauses.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::handlers;
use crate::workspace::Workspace;

/// How long typing must pause before the whole project is checked again.
const SETTLE: Duration = Duration::from_millis(200);

/// The language server.
pub struct Backend {
    client: Client,
    workspace: Arc<Mutex<Workspace>>,
}

impl Backend {
    /// A server that talks to `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            workspace: Arc::new(Mutex::new(Workspace::new())),
        }
    }

    /// The workspace; a handler that panicked cannot leave it locked for good.
    fn lock(&self) -> MutexGuard<'_, Workspace> {
        self.workspace
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs a read-only handler. A bug that panics in it answers the
    /// request with an internal error instead of ending the server.
    fn read<T>(&self, handler: impl FnOnce(&Workspace) -> Option<T>) -> Result<Option<T>> {
        let workspace = self.lock();
        std::panic::catch_unwind(AssertUnwindSafe(|| handler(&workspace)))
            .map_err(|_| Error::internal_error())
    }

    /// Takes a new text for a file: checks that file and publishes its
    /// diagnostics now, and schedules the check of the whole project.
    async fn changed(&self, uri: &Uri, text: String) {
        let published = {
            let mut workspace = self.lock();
            let file = workspace.set_text(uri, text);
            // A bug that panics in the checker must not end the server: the
            // file keeps its last diagnostics.
            let checked = std::panic::catch_unwind(AssertUnwindSafe(|| workspace.check_file(file)));
            checked
                .ok()
                .and_then(|()| handlers::diagnostics::of_file(&workspace, file))
        };
        if let Some((uri, diagnostics)) = published {
            self.client
                .publish_diagnostics(uri, diagnostics, None)
                .await;
        }
        self.schedule_full_check();
    }

    /// Checks the whole project after [`SETTLE`], unless another change
    /// came in meanwhile, and publishes the diagnostics that changed.
    fn schedule_full_check(&self) {
        let generation = self.lock().generation;
        let workspace = Arc::clone(&self.workspace);
        let client = self.client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            let checked = tokio::task::spawn_blocking(move || full_check(&workspace, generation))
                .await
                .unwrap_or_default();
            for (uri, diagnostics) in checked {
                client.publish_diagnostics(uri, diagnostics, None).await;
            }
        });
    }
}

/// The diagnostics to publish after checking the whole project, unless the
/// project changed since `generation`. The check runs on a copy, so that
/// changes coming in meanwhile do not wait for it.
fn full_check(workspace: &Mutex<Workspace>, generation: u64) -> Vec<(Uri, Vec<Diagnostic>)> {
    let lock = || {
        workspace
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let snapshot = {
        let workspace = lock();
        if workspace.generation != generation {
            return Vec::new();
        }
        workspace.snapshot()
    };
    // A bug that panics in the checker must not end the server.
    let Ok(checked) = std::panic::catch_unwind(AssertUnwindSafe(|| snapshot.check())) else {
        return Vec::new();
    };
    let mut workspace = lock();
    let Some(changed) = workspace.apply(checked) else {
        return Vec::new();
    };
    changed
        .into_iter()
        .filter_map(|file| handlers::diagnostics::of_file(&workspace, file))
        .collect()
}

/// Where the stdlib's files are written for go to definition to open.
fn stdlib_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("idflow-stdlib-{}", env!("CARGO_PKG_VERSION")))
}

/// Writes the stdlib's files where the editor can open them.
fn write_stdlib(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in idflow_compiler::stdlib::FILES {
        let file_name = name.rsplit('/').next().unwrap_or(name);
        let path = dir.join(file_name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
            std::fs::write(path, text)?;
        }
    }
    Ok(())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned(), "(".to_owned(), " ".to_owned()]),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_owned(), ",".to_owned()]),
            ..SignatureHelpOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: handlers::semantic_tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[expect(deprecated, reason = "older clients send only `rootUri`")]
        let root_uri = params.root_uri.as_ref();
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| &folder.uri)
            .or(root_uri)
            .and_then(|uri| uri.to_file_path())
            .map(|path| path.into_owned());
        let mut problems = Vec::new();
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        {
            let mut workspace = self.lock();
            workspace.snippets = snippets;
            let dir = stdlib_dir();
            match write_stdlib(&dir) {
                Ok(()) => workspace.map_stdlib(&dir),
                Err(error) => problems.push(format!(
                    "cannot write the stdlib to `{}` for go to definition: {error}",
                    dir.display()
                )),
            }
            if let Some(root) = root {
                workspace.root = Some(root.clone());
                problems.extend(workspace.load_manifest());
                problems.extend(workspace.load_folder(&root));
            }
        }
        for problem in problems {
            self.client.log_message(MessageType::WARNING, problem).await;
        }
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "idflow".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.schedule_full_check();
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.lock().open.insert(document.uri.clone());
        self.changed(&document.uri, document.text).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let text = {
            let workspace = self.lock();
            let current = workspace
                .file(&uri)
                .and_then(|file| workspace.text(file))
                .unwrap_or_default()
                .to_owned();
            handlers::text_sync::apply(current, params.content_changes)
        };
        self.changed(&uri, text).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        // The file on disk is the project's again; a file that is gone
        // leaves the project (its text becomes empty).
        let uri = params.text_document.uri;
        self.lock().open.remove(&uri);
        let on_disk = uri
            .to_file_path()
            .and_then(|path| crate::workspace::read_source(&path).ok())
            .unwrap_or_default();
        self.changed(&uri, on_disk).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            // An open buffer is newer than the file: the editor's text wins.
            if self.lock().open.contains(&change.uri) {
                continue;
            }
            let on_disk = change
                .uri
                .to_file_path()
                .and_then(|path| crate::workspace::read_source(&path).ok())
                .unwrap_or_default();
            self.changed(&change.uri, on_disk).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.read(|w| handlers::hover::run(w, &params))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.read(|w| handlers::completion::run(w, &params))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        self.read(|w| handlers::signature_help::run(w, &params))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        self.read(|w| handlers::definition::run(w, &params))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.read(|w| handlers::references::run(w, &params))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.read(|w| handlers::rename::prepare(w, &params))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        handlers::rename::run(&self.lock(), &params)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.read(|w| handlers::document_symbol::run(w, &params))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.read(|w| handlers::workspace_symbol::run(w, &params))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.read(|w| handlers::formatting::run(w, &params))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.read(|w| handlers::code_action::run(w, &params))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.read(|w| handlers::semantic_tokens::run(w, &params))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.read(|w| handlers::inlay_hint::run(w, &params))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.read(|w| handlers::folding_range::run(w, &params))
    }
}
