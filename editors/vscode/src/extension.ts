// VS Code client for relwork-ls: starts the server (its bundled copy by default, see
// python.ts) over stdio for text, Markdown, LaTeX and BibTeX files, forwards the
// `relwork-ls.*` settings to it under the section the server reads ("relwork"), and shows
// indexing progress and the number of findings in the status bar. The server's code lens on a
// bibliography entry ("cited 3× in 2 drafts") opens the references peek on those citations.
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from "vscode-languageclient/node";
import type { Location as LspLocation, Position as LspPosition } from "vscode-languageclient/node";
import { NoPythonError, onPythonInterpreterChange, resolveLaunch } from "./python";

// The server's settings (keys of relwork.toml), read as relwork-ls.<key>.
const SERVER_SETTINGS = [
  "bibliographies", "style", "two_author_joiner", "drafts", "detect_drafts", "select",
  "ignore", "severity", "suffix_separator", "unused_entries", "bibliographies_before", "since",
];
// Changing one of these needs a new server process.
const LAUNCH_SETTINGS = [
  "relwork-ls.path", "relwork-ls.interpreter", "relwork-ls.importStrategy",
  "relwork-ls.allow_outside_paths",
];
const SERVER_SECTION = "relwork";
const DIAGNOSTIC_SOURCE = "relwork-ls";
// The command of the server's code lenses (arguments: uri, position). The server executes it
// by returning the citations as Locations; vscode-languageclient registers it as a VS Code
// command that sends workspace/executeCommand, whose result nothing shows. So the lenses are
// given this extension's own command instead (a different name: registering the server's
// would clash with the client's registration), which asks the server for the Locations and
// opens the references peek.
const SERVER_REFERENCES_COMMAND = "relwork-ls.references";
const SHOW_REFERENCES_COMMAND = "relwork-ls.showReferences";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let indexing = false;

export function serverSettings(): Record<string, unknown> {
  // Only what the user set: unset keys fall back to relwork.toml.
  const config = vscode.workspace.getConfiguration("relwork-ls");
  const result: Record<string, unknown> = {};
  for (const key of SERVER_SETTINGS) {
    const inspected = config.inspect(key);
    const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (value !== undefined) {
      result[key] = value;
    }
  }
  // Trust is decided here, never by the workspace: the machine-scoped user setting and
  // VS Code's workspace trust.
  result["allow_outside_paths"] = vscode.workspace.isTrusted
    && config.inspect<boolean>("allow_outside_paths")?.globalValue === true;
  result["workspace_trusted"] = vscode.workspace.isTrusted;
  return result;
}

function findingCount(): number {
  let count = 0;
  for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
    count += diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE).length;
  }
  return count;
}

function showStatus(): void {
  if (indexing) {
    return;
  }
  if (client === undefined || client.state !== State.Running) {
    status.text = "$(error) relwork-ls";
    status.tooltip = "relwork-ls is not running: click for its output";
    status.command = "relwork-ls.showOutput";
    return;
  }
  const count = findingCount();
  status.text = count === 0 ? "$(check) relwork-ls" : `$(warning) relwork-ls: ${count}`;
  status.tooltip = `relwork-ls: ${count} finding${count === 1 ? "" : "s"} in the files it has checked; click for the Problems panel`;
  status.command = "workbench.actions.view.problems";
}

function showProgress(value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd): void {
  if (value.kind === "end") {
    indexing = false;
    output.appendLine(`status bar: indexing done${value.message ? ` (${value.message})` : ""}`);
    showStatus();
    return;
  }
  if (value.kind === "begin") {
    output.appendLine(`status bar: ${value.title}`);
  }
  indexing = true;
  const percentage = typeof value.percentage === "number" ? ` ${value.percentage}%` : "";
  status.text = `$(sync~spin) relwork-ls: indexing${percentage}`;
  const title = value.kind === "begin" ? value.title : "relwork-ls: indexing";
  status.tooltip = value.message ? `${title}: ${value.message}` : title;
  status.command = "relwork-ls.showOutput";
}

async function offerSettings(message: string): Promise<void> {
  const open = "Open settings";
  const choice = await vscode.window.showErrorMessage(`relwork-ls: ${message}.`, open, "Show output");
  if (choice === open) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "relwork-ls.interpreter");
  } else if (choice === "Show output") {
    output.show();
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  let launch;
  try {
    launch = await resolveLaunch(context.extensionPath, (line) => output.appendLine(line));
  } catch (error) {
    showStatus();
    if (error instanceof NoPythonError) {
      await offerSettings(`${error.message}. Install Python 3.10+ or set relwork-ls.interpreter`);
      return;
    }
    throw error;
  }
  const serverOptions: ServerOptions = {
    command: launch.command, args: launch.args, transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "plaintext" },
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "latex" },
      { scheme: "file", language: "bibtex" },
      { scheme: "file", pattern: "**/*.bib" },
    ],
    outputChannel: output,
    initializationOptions: { [SERVER_SECTION]: serverSettings() },
    // Changes to relwork-ls.* send didChangeConfiguration; the server then asks for its
    // section, answered below.
    synchronize: { configurationSection: "relwork-ls" },
    middleware: {
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          if (lens.command?.command === SERVER_REFERENCES_COMMAND) {
            lens.command = { ...lens.command, command: SHOW_REFERENCES_COMMAND };
          }
        }
        return lenses;
      },
      workspace: {
        configuration: async (params, token, next) => {
          const values = await next(params, token);
          if (!Array.isArray(values)) {
            return values;
          }
          return params.items.map((item, index) =>
            item.section === SERVER_SECTION ? serverSettings() : values[index]);
        },
      },
    },
  };
  client = new LanguageClient("relwork-ls", "relwork-ls", serverOptions, clientOptions);
  context.subscriptions.push(client.onDidChangeState(() => showStatus()));
  try {
    await client.start();
  } catch (error) {
    showStatus();
    await offerSettings(`the server did not start (${error})`);
    return;
  }
  // Indexing progress goes to the status bar item (this replaces the client's own
  // progress handler; registered before any request of the server can be read).
  const running = client;
  running.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    const subscription = running.onProgress(WorkDoneProgress.type, token, (value) => {
      showProgress(value);
      if (value.kind === "end") {
        subscription.dispose();
      }
    });
  });
  showStatus();
}

// The citations behind a code lens, in the references peek at the lens's entry.
async function showReferences(uri: string, position: LspPosition): Promise<void> {
  const running = client;
  if (running === undefined || running.state !== State.Running) {
    vscode.window.showWarningMessage("relwork-ls is not running");
    return;
  }
  const result: LspLocation[] | null = await running.sendRequest(ExecuteCommandRequest.type, {
    command: SERVER_REFERENCES_COMMAND, arguments: [uri, position],
  });
  const converter = running.protocol2CodeConverter;
  const locations = await converter.asReferences(result ?? []);
  output.appendLine(`references peek: ${locations.length} citation${locations.length === 1 ? "" : "s"}`);
  await vscode.commands.executeCommand("editor.action.showReferences",
    converter.asUri(uri), converter.asPosition(position), locations);
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  indexing = false;
  if (running !== undefined && running.needsStop()) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("relwork-ls");
  status = vscode.window.createStatusBarItem("relwork-ls.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "relwork-ls";
  status.text = "$(sync~spin) relwork-ls";
  status.show();
  const restart = async () => {
    await stop();
    await start(context);
  };
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("relwork-ls.restartServer", async () => {
      await restart();
      if (client !== undefined) {
        vscode.window.showInformationMessage("relwork-ls restarted");
      }
    }),
    vscode.commands.registerCommand("relwork-ls.showOutput", () => output.show()),
    vscode.commands.registerCommand(SHOW_REFERENCES_COMMAND, showReferences),
    vscode.languages.onDidChangeDiagnostics(() => showStatus()),
    vscode.workspace.onDidGrantWorkspaceTrust(restart),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (LAUNCH_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        await restart();
      }
    }),
  );
  const interpreterChanges = await onPythonInterpreterChange(() => {
    // An explicit relwork-ls.interpreter or relwork-ls.path wins over the Python extension.
    const config = vscode.workspace.getConfiguration("relwork-ls");
    if (!config.get<string>("interpreter", "") && !config.get<string>("path", "")) {
      void restart();
    }
  });
  if (interpreterChanges !== undefined) {
    context.subscriptions.push(interpreterChanges);
  }
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
