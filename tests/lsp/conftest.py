"""Starts `idflow lsp` (the binary named by IDFLOW_BIN) under pytest-lsp's
client, an independent implementation of the protocol, with the project in
`project/` as its workspace."""

import os
import pathlib
import shutil
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

HERE = pathlib.Path(__file__).parent
BIN = os.environ.get("IDFLOW_BIN") or str(HERE.parent.parent / "target" / "debug" / "idflow")
EXAMPLES = HERE.parent.parent / "examples"


@pytest.fixture
def project(tmp_path):
    """A fresh copy of the test project, so that tests can change it."""
    root = tmp_path / "project"
    shutil.copytree(HERE / "project", root)
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client(lsp_client: LanguageClient, project):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[
                types.WorkspaceFolder(uri=project.as_uri(), name="project")
            ],
        )
    )
    lsp_client.project = project
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def latin1_client(lsp_client: LanguageClient, project):
    """A workspace holding a file that is not UTF-8."""
    (project / "latin1.flow").write_bytes('config nom: String = "Élodie"\n'.encode("latin-1"))
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="p")],
        )
    )
    lsp_client.project = project
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def plain_client(lsp_client: LanguageClient, project):
    """A client that declares no capability at all: no snippets."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="p")],
        )
    )
    lsp_client.project = project
    yield
    await lsp_client.shutdown_session()
