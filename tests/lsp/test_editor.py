"""What an editor sees, asked through an independent client over stdio."""

import pathlib

from lsprotocol import types

# ruff: noqa: D103


def open_doc(client, path: pathlib.Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="idflow", version=version, text=text
            )
        )
    )
    return uri


def change_doc(client, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_of(client, uri: str):
    """Waits until the server has published diagnostics for `uri`."""
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    """The position of `needle` (plus `offset` characters) in `text`."""
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    column = at - (text.rfind("\n", 0, at) + 1)
    return types.Position(line=line, character=column)


def apply(text: str, edits) -> str:
    """Applies text edits (ranges in UTF-16 columns; ASCII here) to `text`."""
    lines = text.split("\n")

    def offset(position):
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def items_of(result):
    """The items of a completion answer, a list or a CompletionList."""
    return result if isinstance(result, list) else result.items


TYPO = (pathlib.Path(__file__).parent / "project" / "alerts.flow").read_text().replace(
    "okta.suspend_user(", "okta.suspend_usr("
)


async def test_an_error_is_published_with_its_code_and_range(client):
    uri = open_doc(client, client.project / "alerts.flow", TYPO)
    diagnostics = await diagnostics_of(client, uri)
    [error] = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Error]
    assert error.code == "E0206", error
    assert error.source == "idflow"
    assert "suspend_usr" in error.message
    start = position_of(TYPO, "suspend_usr")
    assert error.range.start == start
    assert error.range.end == types.Position(line=start.line, character=start.character + 11)


async def test_a_did_you_mean_code_action_fixes_the_name(client):
    uri = open_doc(client, client.project / "alerts.flow", TYPO)
    diagnostics = await diagnostics_of(client, uri)
    error = next(d for d in diagnostics if d.code == "E0206")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=error.range,
            context=types.CodeActionContext(diagnostics=[error]),
        )
    )
    [action] = [a for a in actions if "suspend_user" in a.title]
    assert action.kind == types.CodeActionKind.QuickFix
    fixed = apply(TYPO, action.edit.changes[uri])
    assert "okta.suspend_user(id: user.id)" in fixed
    change_doc(client, uri, fixed, 2)
    client.diagnostics.pop(uri, None)
    assert [d for d in await diagnostics_of(client, uri) if d.code == "E0206"] == []


async def test_hover_shows_types_and_doc_comments(client):
    text = (client.project / "alerts.flow").read_text()
    uri = open_doc(client, client.project / "alerts.flow", text)
    await diagnostics_of(client, uri)

    async def hover(needle, offset=1):
        result = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=position_of(text, needle, offset),
            )
        )
        return result.contents.value

    config = await hover("channel: alert_channel", len("channel: ") + 1)
    assert "config alert_channel: String" in config
    assert "Where security alerts are posted." in config
    action = await hover("suspend_user")
    assert "destructive action okta.suspend_user(" in action or "write action okta.suspend_user(" in action
    user = await hover("user = ")
    assert "let user: okta.User" in user
    event = await hover("e.actor.id", 0)
    assert "event e: okta." in event


async def test_completion_after_a_connector_lists_its_actions(client):
    text = (client.project / "alerts.flow").read_text().replace(
        "    okta.suspend_user(id: user.id)\n", "    okta.\n"
    )
    uri = open_doc(client, client.project / "alerts.flow", text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "    okta.\n", len("    okta.")),
        )
    )
    labels = {item.label for item in items_of(result)}
    assert {"get_user", "suspend_user", "deactivate_user"} <= labels, labels
    # Fields of a binding after its `.`, typed by the checker.
    text = text.replace("    okta.\n", "    user.profile.\n")
    change_doc(client, uri, text, 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "user.profile.\n", len("user.profile.")),
        )
    )
    assert "login" in {item.label for item in items_of(result)}


async def test_go_to_definition_opens_the_stdlib(client):
    text = (client.project / "alerts.flow").read_text()
    uri = open_doc(client, client.project / "alerts.flow", text)
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "suspend_user", 2),
        )
    )
    location = result if isinstance(result, types.Location) else result[0]
    assert location.uri.endswith("/okta.flow"), location.uri
    path = pathlib.Path(location.uri.removeprefix("file://"))
    line = path.read_text().split("\n")[location.range.start.line]
    assert "suspend_user" in line[location.range.start.character :]


async def test_rename_a_config_edits_every_use(client):
    text = (client.project / "alerts.flow").read_text()
    uri = open_doc(client, client.project / "alerts.flow", text)
    await diagnostics_of(client, uri)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "alert_channel", 1),
            new_name="security_channel",
        )
    )
    renamed = apply(text, edit.changes[uri])
    assert "alert_channel" not in renamed
    assert renamed.count("security_channel") == 2


async def test_formatting_gives_the_canonical_style(client):
    text = (client.project / "alerts.flow").read_text()
    messy = text.replace("  when okta", "      when okta").replace("config alert_channel: String", "config  alert_channel :String")
    uri = open_doc(client, client.project / "alerts.flow", messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert apply(messy, edits) == text


async def test_files_changed_on_disk_are_checked_with_the_workspace(client):
    text = (client.project / "alerts.flow").read_text()
    open_doc(client, client.project / "alerts.flow", text)
    # A file written outside the editor (a `git pull`) that declares the
    # config again: the whole-workspace check reports it in that file.
    extra = client.project / "extra.flow"
    extra.write_text('config alert_channel: String = "#other"\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=extra.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    diagnostics = await diagnostics_of(client, extra.as_uri())
    assert any("alert_channel" in d.message for d in diagnostics), diagnostics


async def test_a_flow_hover_ends_with_its_plan_once_the_project_builds(client):
    import asyncio

    text = (client.project / "alerts.flow").read_text()
    uri = open_doc(client, client.project / "alerts.flow", text)
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(text, "suspend_on_failure", 3),
    )
    # The plan is built by the whole-project check, after typing pauses.
    for _ in range(50):
        hover = (await client.text_document_hover_async(params)).contents.value
        if "**plan**" in hover:
            break
        await asyncio.sleep(0.1)
    assert "flow suspend_on_failure" in hover
    assert "**plan** version `" in hover and "filter compiled to native code" in hover, hover
    # The whole version hash, as the run history names the flow.
    version = hover.split("**plan** version `")[1].split("`")[0]
    assert version.startswith("sha256:") and len(version) == len("sha256:") + 64, hover
    # A project with an error has no plan: the hover says nothing stale.
    broken = text.replace("okta.suspend_user(", "okta.suspend_usr(")
    change_doc(client, uri, broken, 2)
    await asyncio.sleep(0.6)
    hover = (await client.text_document_hover_async(params)).contents.value
    assert "**plan**" not in hover


async def test_a_client_without_snippets_gets_plain_text_and_no_templates(plain_client):
    text = (plain_client.project / "alerts.flow").read_text().replace(
        "    okta.suspend_user(id: user.id)\n", "    okta.\n"
    )
    uri = open_doc(plain_client, plain_client.project / "alerts.flow", text)
    result = await plain_client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "    okta.\n", len("    okta.")),
        )
    )
    items = items_of(result)
    assert items, "actions are proposed"
    for item in items:
        assert item.insert_text_format != types.InsertTextFormat.Snippet, item
        assert "$" not in (item.insert_text or ""), item
    suspend = next(item for item in items if item.label == "suspend_user")
    assert suspend.insert_text == "suspend_user(id: )", suspend
    # At the top of a file: keywords, but no templates.
    top = await plain_client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=0),
        )
    )
    assert all(item.kind != types.CompletionItemKind.Snippet for item in items_of(top))


async def test_a_label_in_another_file_is_related_information(client):
    # The typo's secondary label is the connector's declaration, in the
    # stdlib: the editor can follow it.
    uri = open_doc(client, client.project / "alerts.flow", TYPO)
    diagnostics = await diagnostics_of(client, uri)
    [error] = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Error]
    related = error.related_information or []
    assert any(r.location.uri.endswith("okta.flow") for r in related), error
    # A config defined twice, in two files: "first defined here" points
    # into the other file.
    other = client.project / "more.flow"
    other.write_text('config alert_channel: String = "#other"\n')
    other_uri = open_doc(client, other, other.read_text())
    found = await diagnostics_of(client, other_uri)
    [twice] = [d for d in found if d.code == "E0201"]
    related = twice.related_information or []
    assert any(r.location.uri.endswith("alerts.flow") for r in related), twice


async def test_a_config_rename_follows_into_idflow_toml_and_a_clash_is_refused(client):
    manifest = client.project / "idflow.toml"
    manifest.write_text('[config]\nalert_channel = "#ops"\n\n[env.prod.config]\nalert_channel = "#soc"\n')
    text = (client.project / "alerts.flow").read_text()
    text = text.replace(
        'config alert_channel: String = "#alerts"',
        'config alert_channel: String = "#alerts"\n\n/// Where escalations go.\nconfig escalation: String = "#ciso"',
    )
    uri = open_doc(client, client.project / "alerts.flow", text)
    await diagnostics_of(client, uri)
    params = lambda name: types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(text, "alert_channel", 1),
        new_name=name,
    )
    edit = await client.text_document_rename_async(params("security_channel"))
    toml_uri = manifest.as_uri()
    assert toml_uri in edit.changes, edit.changes.keys()
    renamed = apply(manifest.read_text(), edit.changes[toml_uri])
    assert renamed.count("security_channel =") == 2 and "alert_channel" not in renamed, renamed
    # Renaming it to another config's name would break the project: refused.
    try:
        await client.text_document_rename_async(params("escalation"))
        raise AssertionError("the clashing rename was applied")
    except Exception as error:  # the server answers with an error
        assert "already names a config" in str(error), error
