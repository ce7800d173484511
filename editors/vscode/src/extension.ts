// VS Code client for relwork-ls: starts `relwork-ls serve` over stdio for text, Markdown
// and LaTeX files and forwards the `relwork` settings to it.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("relwork-ls");
  const command = config.get<string[]>("serverCommand", []);
  const python = config.get<string>("pythonPath", "");
  if (command.length > 0) {
    return { command: command[0], args: command.slice(1), transport: TransportKind.stdio };
  }
  if (python) {
    return { command: python, args: ["-m", "relwork_ls", "serve"], transport: TransportKind.stdio };
  }
  return { command: "relwork-ls", args: ["serve"], transport: TransportKind.stdio };
}

function settings(): Record<string, unknown> {
  // Only what the user set: unset keys fall back to relwork.toml.
  const config = vscode.workspace.getConfiguration("relwork");
  const result: Record<string, unknown> = {};
  for (const key of [
    "bibliographies", "style", "two_author_joiner", "drafts", "detect_drafts", "select",
    "ignore", "severity", "suffix_separator", "bibliographies_before", "since",
  ]) {
    const inspected = config.inspect(key);
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) {
      result[key] = value;
    }
  }
  // Trust is decided here, never by the workspace: the machine-scoped user setting and
  // VS Code's workspace trust.
  result["allow_outside_paths"] = config.inspect<boolean>("allow_outside_paths")?.globalValue === true;
  result["workspace_trusted"] = vscode.workspace.isTrusted;
  return result;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  output = output ?? vscode.window.createOutputChannel("relwork-ls");
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "plaintext" },
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "latex" },
      { scheme: "file", pattern: "**/*.bib" },
    ],
    outputChannel: output,
    initializationOptions: { relwork: settings() },
    synchronize: { configurationSection: "relwork" },
    middleware: {
      workspace: {
        // Answer workspace/configuration with the explicitly set values only.
        configuration: async (params, token, next) => {
          const values = await next(params, token);
          if (!Array.isArray(values)) {
            return values;
          }
          return params.items.map((item, index) =>
            item.section === "relwork" ? settings() : values[index]);
        },
      },
    },
  };
  client = new LanguageClient("relwork-ls", "relwork-ls", serverOptions(), clientOptions);
  await client.start();
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("relwork-ls.restartServer", async () => {
      if (client) {
        await client.stop();
        client = undefined;
      }
      await start(context);
      vscode.window.showInformationMessage("relwork-ls restarted");
    }),
    vscode.commands.registerCommand("relwork-ls.showOutput", () => output?.show()),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await vscode.commands.executeCommand("relwork-ls.restartServer");
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("relwork-ls.serverCommand")
          || event.affectsConfiguration("relwork-ls.pythonPath")
          || event.affectsConfiguration("relwork.allow_outside_paths")) {
        await vscode.commands.executeCommand("relwork-ls.restartServer");
      }
    }),
  );
  try {
    await start(context);
  } catch (error) {
    vscode.window.showErrorMessage(
      `relwork-ls: could not start the server (${error}). Set relwork-ls.serverCommand or relwork-ls.pythonPath.`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
