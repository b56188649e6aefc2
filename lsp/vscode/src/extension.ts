// Starts `idflow lsp` for `.flow` files. Everything the editor shows —
// diagnostics, hovers, completions, formatting — comes from that server, so
// VS Code reports exactly what `idflow check` and `idflow lint` report in CI.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  await start();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // A new binary path takes effect at once.
      if (event.affectsConfiguration("idflow.path")) {
        await stop();
        await start();
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const command = vscode.workspace.getConfiguration("idflow").get<string>("path") || "idflow";
  const server: ServerOptions = { command, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "idflow" }],
    synchronize: {
      // Files changed outside the editor (git checkout) reach the server.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.flow"),
    },
  };
  client = new LanguageClient("idflow", "idflow", server, options);
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `idflow: cannot start \`${command} lsp\` (set "idflow.path"): ${error}`,
    );
  }
}

async function stop(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}
