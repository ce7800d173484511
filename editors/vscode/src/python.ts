// Which program starts the server: a relwork-ls executable (relwork-ls.path), or a Python
// 3.10+ running bundled/tool/server.py with the bundled copy of relwork-ls or the one in
// that Python's environment (relwork-ls.importStrategy).
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import { PythonExtension } from "@vscode/python-extension";

export interface ServerLaunch {
  command: string;
  args: string[];
  // Shown in the output channel: how this command was chosen.
  origin: string;
}

interface Probe {
  strategy: "bundled" | "environment";
  version: string;
  location: string;
  python: string;
  python_version: string;
}

const PROBE_TIMEOUT_MS = 20000;

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error((stderr || String(error)).trim().split("\n").pop()));
      } else {
        resolve(stdout);
      }
    });
  });
}

function launcherArgs(extensionPath: string, strategy: string, probe: boolean): string[] {
  const script = path.join(extensionPath, "bundled", "tool", "server.py");
  // -I (isolated) for the bundled copy: no PYTHONPATH, no user site-packages, so nothing
  // installed elsewhere shadows it. The environment's copy may live in user site-packages.
  const isolated = strategy === "bundled" ? ["-I"] : [];
  return [...isolated, script, "--strategy", strategy, ...(probe ? ["--probe"] : [])];
}

async function probe(python: string, extensionPath: string, strategy: string): Promise<Probe> {
  const output = await run(python, launcherArgs(extensionPath, strategy, true));
  return JSON.parse(output.trim().split("\n").pop() ?? "") as Probe;
}

// The interpreter the Python extension selected for this folder, if it is installed.
async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  if (vscode.extensions.getExtension("ms-python.python") === undefined) {
    return undefined;
  }
  try {
    const api = await PythonExtension.api();
    const selected = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(selected);
    return environment?.executable.uri?.fsPath;
  } catch {
    return undefined;
  }
}

export async function onPythonInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  if (vscode.extensions.getExtension("ms-python.python") === undefined) {
    return undefined;
  }
  try {
    const api = await PythonExtension.api();
    return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
  } catch {
    return undefined;
  }
}

export class NoPythonError extends Error {}

// Decide how to start the server; `log` receives one line per candidate that was tried.
export async function resolveLaunch(
  extensionPath: string,
  log: (line: string) => void,
): Promise<ServerLaunch> {
  const config = vscode.workspace.getConfiguration("relwork-ls");
  const executable = config.get<string>("path", "").trim();
  if (executable) {
    return { command: executable, args: ["serve"], origin: "relwork-ls.path" };
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const candidates: Array<{ python: string; origin: string }> = [];
  const configured = config.get<string>("interpreter", "").trim();
  if (configured) {
    candidates.push({ python: configured, origin: "relwork-ls.interpreter" });
  }
  // In restricted mode an interpreter picked for the workspace (often its own .venv) could
  // run the workspace's code at start-up; only user settings and PATH are used then.
  if (vscode.workspace.isTrusted) {
    const selected = await pythonExtensionInterpreter(folder);
    if (selected) {
      candidates.push({ python: selected, origin: "the Python extension's interpreter" });
    }
  }
  for (const name of process.platform === "win32" ? ["python", "py"] : ["python3", "python"]) {
    candidates.push({ python: name, origin: `${name} on PATH` });
  }
  const wanted = config.get<string>("importStrategy", "useBundled") === "fromEnvironment"
    ? "environment" : "bundled";
  const tried: string[] = [];
  for (const { python, origin } of candidates) {
    for (const strategy of wanted === "environment" ? ["environment", "bundled"] : ["bundled"]) {
      try {
        const found = await probe(python, extensionPath, strategy);
        log(`using ${origin} (${found.python}, Python ${found.python_version}) with the `
          + `${strategy === "bundled" ? "bundled" : "environment's"} relwork-ls ${found.version} `
          + `at ${found.location}`);
        return {
          command: python,
          args: launcherArgs(extensionPath, strategy, false),
          origin,
        };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`not usable: ${origin} (${python}) with the ${strategy} copy: ${reason}`);
        tried.push(`${python} (${origin})`);
      }
    }
  }
  throw new NoPythonError(`no usable Python 3.10+ found (tried ${[...new Set(tried)].join(", ")})`);
}
