"""The server survives what editors and users throw at it: every prefix of
every example file (every keystroke), malformed requests, positions past
the end, characters outside the BMP, and files that are not UTF-8."""

import pathlib

import pytest
from lsprotocol import types

from conftest import EXAMPLES
from test_editor import change_doc, diagnostics_of, open_doc

# ruff: noqa: D103

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.flow")) + [
    pathlib.Path(__file__).parent / "project" / "alerts.flow"
]


def doc(uri):
    return types.TextDocumentIdentifier(uri=uri)


def end_of(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(
        line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2
    )


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name)
async def test_every_prefix_of_an_example_gets_answers(client, example):
    # The other example files are open beside it, whole, as in an editor.
    for other in EXAMPLE_FILES:
        if other != example:
            open_doc(client, client.project / other.name, other.read_text())
    text = example.read_text()
    uri = open_doc(client, client.project / example.name, "")
    answered = 0
    for length in range(1, len(text) + 1):
        prefix = text[:length]
        change_doc(client, uri, prefix, length + 1)
        at = end_of(prefix)
        completion = await client.text_document_completion_async(
            types.CompletionParams(text_document=doc(uri), position=at)
        )
        assert completion is not None
        if length % 7 == 0 or length == len(text):
            await client.text_document_hover_async(
                types.HoverParams(text_document=doc(uri), position=at)
            )
            symbols = await client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=doc(uri))
            )
            assert symbols is not None
            tokens = await client.text_document_semantic_tokens_full_async(
                types.SemanticTokensParams(text_document=doc(uri))
            )
            assert tokens is not None and len(tokens.data) % 5 == 0
            await client.text_document_signature_help_async(
                types.SignatureHelpParams(text_document=doc(uri), position=at)
            )
            await client.text_document_inlay_hint_async(
                types.InlayHintParams(
                    text_document=doc(uri),
                    range=types.Range(start=types.Position(line=0, character=0), end=at),
                )
            )
            await client.text_document_folding_range_async(
                types.FoldingRangeParams(text_document=doc(uri))
            )
        answered += 1
    assert answered == len(text)
    # Still alive, and the whole file is clean again.
    client.diagnostics.pop(uri, None)
    change_doc(client, uri, text, len(text) + 2)
    errors = [
        d
        for d in await diagnostics_of(client, uri)
        if d.severity == types.DiagnosticSeverity.Error
    ]
    assert errors == [], errors


async def test_malformed_requests_get_errors_and_the_server_lives_on(client):
    # Raw messages, below the client's typed API: wrong parameter types, an
    # unknown method, a notification with no parameters at all.
    for raw in (
        {"jsonrpc": "2.0", "id": 90001, "method": "textDocument/hover",
         "params": {"textDocument": 5, "position": "nowhere"}},
        {"jsonrpc": "2.0", "id": 90002, "method": "idflow/noSuchMethod", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange"},
    ):
        client.protocol._send_data(raw)
    # Unknown documents and positions past the end are answered, not fatal.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=doc("file:///nowhere/missing.flow"),
            position=types.Position(line=0, character=0),
        )
    )
    assert hover is None
    text = (client.project / "alerts.flow").read_text()
    uri = open_doc(client, client.project / "alerts.flow", text)
    far = types.Position(line=10_000, character=10_000)
    await client.text_document_hover_async(types.HoverParams(text_document=doc(uri), position=far))
    await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=far)
    )
    # An edit whose range lies past the end is clamped.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=far, end=far), text="\n// appended\n"
                )
            ],
        )
    )
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(uri))
    )
    assert [s.name for s in symbols] == ["okta", "slack", "alert_channel", "suspend_on_failure"]


async def test_positions_count_utf16_code_units(client):
    # `😀` is two UTF-16 units: the error after it starts two columns later
    # than its one character, as the protocol requires.
    line = '    let x = "😀 {nope}"'
    text = "import okta\nflow f {\n  when okta.user_created\n  then {\n" + line + "\n  }\n}\n"
    uri = open_doc(client, client.project / "emoji.flow", text)
    diagnostics = await diagnostics_of(client, uri)
    [unknown] = [d for d in diagnostics if "nope" in d.message]
    assert unknown.range.start == types.Position(line=4, character=line.index("nope") + 1)


async def test_a_file_that_is_not_utf8_is_skipped_not_fatal(latin1_client):
    client = latin1_client
    text = (client.project / "alerts.flow").read_text()
    uri = open_doc(client, client.project / "alerts.flow", text)
    assert await diagnostics_of(client, uri) is not None
    logged = " ".join(m.message for m in client.log_messages)
    assert "latin1.flow" in logged and "not UTF-8" in logged
