//! `textDocument/signatureHelp`: the parameters of the call being written.

use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureHelpParams, SignatureInformation,
};

use super::locate;
use crate::workspace::Workspace;

/// The signature of the call around the request's position.
pub fn run(workspace: &Workspace, params: &SignatureHelpParams) -> Option<SignatureHelp> {
    let at = &params.text_document_position_params;
    let (file, _, offset) = locate(workspace, &at.text_document.uri, at.position)?;
    let signature = idflow_compiler::ide::signature_help(&workspace.project, file, offset)?;
    let active = signature.active.and_then(|a| u32::try_from(a).ok());
    let information = SignatureInformation {
        label: signature.label,
        documentation: signature.documentation.map(|doc| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: doc,
            })
        }),
        parameters: Some(
            signature
                .params
                .into_iter()
                .map(|p| ParameterInformation {
                    label: ParameterLabel::Simple(p),
                    documentation: None,
                })
                .collect(),
        ),
        active_parameter: active,
    };
    Some(SignatureHelp {
        signatures: vec![information],
        active_signature: Some(0),
        active_parameter: active,
    })
}
