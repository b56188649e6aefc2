//! `textDocument/prepareRename` and `textDocument/rename`: configs, flows,
//! functions and local names, in every file that uses them.

use std::collections::HashMap;

use idflow_compiler::ide::{self, SymbolKind};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    PrepareRenameResponse, Range, RenameParams, TextDocumentPositionParams, TextEdit, Uri,
    WorkspaceEdit,
};

use super::locate;
use crate::convert::Text;
use crate::workspace::Workspace;

/// The range of the name that would be renamed, if it can be.
pub fn prepare(
    workspace: &Workspace,
    params: &TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let (file, text, offset) = locate(workspace, &params.text_document.uri, params.position)?;
    let occurrence = workspace
        .occurrences(file)
        .into_iter()
        .find(|o| o.span.start as usize <= offset && offset <= o.span.end as usize)?;
    let renamable = matches!(
        occurrence.kind,
        SymbolKind::Local | SymbolKind::Config | SymbolKind::Flow | SymbolKind::Function
    ) && workspace.is_own(occurrence.def.file);
    renamable.then(|| PrepareRenameResponse::Range(text.range(occurrence.span)))
}

/// The edits of a rename; an error the editor shows when it cannot be done.
pub fn run(workspace: &Workspace, params: &RenameParams) -> Result<Option<WorkspaceEdit>> {
    let at = &params.text_document_position;
    let Some((file, _, offset)) = locate(workspace, &at.text_document.uri, at.position) else {
        return Ok(None);
    };
    let edits = ide::rename(
        &workspace.project,
        &workspace.table,
        &workspace.occurrences(file),
        offset,
        &params.new_name,
    )
    .map_err(Error::invalid_params)?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    // A config's values in `idflow.toml` follow its name.
    let renamed = workspace
        .occurrences(file)
        .into_iter()
        .find(|o| o.span.start as usize <= offset && offset <= o.span.end as usize);
    if let Some(config) = renamed.filter(|o| o.kind == SymbolKind::Config)
        && let Some(root) = &workspace.root
    {
        let path = root.join("idflow.toml");
        if let Ok(manifest) =
            idflow_files::read_text(&path, idflow_compiler::source::MAX_FILE_BYTES)
        {
            let old = workspace.project.text_of(config.def);
            let keys = manifest_keys(&manifest, old);
            if !keys.is_empty() {
                let uri = Uri::from_file_path(&path)
                    .ok_or_else(|| Error::invalid_params("idflow.toml has no URI"))?;
                let text = Text::new(&manifest);
                changes
                    .entry(uri)
                    .or_default()
                    .extend(keys.into_iter().map(|range| {
                        let range =
                            Range::new(text.position(range.start), text.position(range.end));
                        TextEdit::new(range, params.new_name.clone())
                    }));
            }
        }
    }
    for edit in &edits {
        let (Some(uri), Some(text)) = (
            workspace.uri(edit.span.file),
            workspace.text(edit.span.file),
        ) else {
            continue;
        };
        changes
            .entry(uri.clone())
            .or_default()
            .push(Text::new(text).edit(edit));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// Where `idflow.toml` writes the config `name` as a key: in `[config]`
/// and in each `[env.NAME.config]` (as tables, inline tables or dotted
/// keys, as TOML allows), the bare name — inside the quotes when quoted.
/// A manifest that is not TOML has none.
fn manifest_keys(manifest: &str, name: &str) -> Vec<std::ops::Range<usize>> {
    let Ok(document) = toml_edit::Document::parse(manifest) else {
        return Vec::new();
    };
    let root = document.as_table();
    let environments = root
        .get("env")
        .and_then(toml_edit::Item::as_table_like)
        .into_iter()
        .flat_map(|envs| envs.iter().map(|(_, env)| env));
    let sections = root
        .get("config")
        .into_iter()
        .chain(environments.filter_map(|env| env.as_table_like()?.get("config")));
    sections
        .filter_map(|section| section.as_table_like()?.get_key_value(name))
        .filter_map(|(key, _)| key.span())
        .map(|span| {
            let quoted = manifest
                .get(span.clone())
                .is_some_and(|k| k.starts_with(['"', '\'']));
            let start = span.start + usize::from(quoted);
            start..start + name.len()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::manifest_keys;

    #[test]
    fn a_config_is_found_in_every_config_section_and_nowhere_else() {
        let manifest = "[config]\nchannel = \"#a\"\nchannels = 1\n\n[env.prod.config]\n\"channel\" = \"#b\"\n\n[lints]\nchannel = \"deny\"\n";
        let found: Vec<&str> = manifest_keys(manifest, "channel")
            .into_iter()
            .map(|r| &manifest[r])
            .collect();
        assert_eq!(found, ["channel", "channel"]);
        assert_eq!(manifest_keys(manifest, "channel").len(), 2);
    }

    #[test]
    fn inline_tables_and_dotted_keys_are_config_sections_too() {
        let manifest = "config.channel = \"#a\"\n\n[env.staging]\nconfig = { channel = \"#c\" }\n";
        let found: Vec<&str> = manifest_keys(manifest, "channel")
            .into_iter()
            .map(|r| &manifest[r])
            .collect();
        assert_eq!(found, ["channel", "channel"]);
        assert!(manifest_keys("not = [toml", "channel").is_empty());
    }
}
