// Real-editor test: code-server with only the packaged .vsix installed, driven headless by
// Playwright in Chromium, on a copy of examples/related-work. Run by run.sh, one case per
// process: `node e2e.mjs CASE CODE_SERVER WORKSPACE EXTENSIONS_DIR USER_DATA_DIR PORT`.
// Environment: CODE_SERVER_PATH (PATH of code-server and so of the extension host),
// RELWORK_SETTINGS (workspace settings, JSON), RELWORK_INSTALLED (the extensions folder's
// listing). Prints one JSON line per check and {"ok": …} last; exits 1 when a check failed.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const [testCase, codeServer, workspace, extensionsDir, userDataDir, port] = process.argv.slice(2);
const results = {};
const log = (name, value) => { results[name] = value; console.log(JSON.stringify({ [name]: value })); };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

fs.mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
fs.writeFileSync(path.join(workspace, ".vscode", "settings.json"), JSON.stringify({
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "editor.quickSuggestions": { other: true, comments: false, strings: false },
  "files.autoSave": "off",
  ...JSON.parse(process.env.RELWORK_SETTINGS || "{}"),
}, null, 2));

const server = spawn(codeServer, [
  "--bind-addr", `127.0.0.1:${port}`, "--auth", "none", "--disable-telemetry",
  "--disable-update-check", "--disable-workspace-trust", "--extensions-dir", extensionsDir,
  "--user-data-dir", userDataDir, workspace,
], {
  stdio: ["ignore", "pipe", "pipe"],
  env: { ...process.env, PATH: process.env.CODE_SERVER_PATH || process.env.PATH },
});
server.stderr.on("data", (d) => process.stderr.write(d));

async function waitForServer() {
  for (let i = 0; i < 120; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) return; } catch {}
    await sleep(500);
  }
  throw new Error("code-server did not start");
}

// The language server process started by the extension: its command line, the files it
// mapped (Python's compiled modules show which copy of regex, so of relwork-ls, is loaded).
function serverProcesses() {
  const found = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (argv.some((arg) => arg.endsWith(path.join("bundled", "tool", "server.py")))
          && argv.includes("--strategy") && !argv.includes("--probe")) {
        const maps = fs.readFileSync(`/proc/${pid}/maps`, "utf8");
        const regex = [...new Set(maps.split("\n").map((l) => l.split(/\s+/).slice(5).join(" "))
          .filter((file) => file.includes("_regex.")))];
        found.push({ pid, argv, exe: fs.readlinkSync(`/proc/${pid}/exe`), regex });
      }
    } catch {}
  }
  return found;
}

// Everything code-server logged for this profile (the extension's output channel included).
function logs() {
  const texts = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".log")) texts.push(fs.readFileSync(full, "utf8"));
    }
  };
  try { walk(path.join(userDataDir, "logs")); } catch {}
  return texts.join("\n");
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const editorArea = ".editor-instance .monaco-editor";
const squiggles = `${editorArea} .squiggly-warning, ${editorArea} .squiggly-error`;

async function openFile(page, name) {
  const fileRow = page.locator(".explorer-folders-view .monaco-list-row", { hasText: name });
  await fileRow.waitFor({ timeout: 60000 });
  await fileRow.click();
  await page.waitForSelector(`.tabs-container .tab:has-text('${name}')`, { timeout: 30000 });
  await page.waitForSelector(`${editorArea} .view-lines`, { timeout: 30000 });
}
function openDraft(page) {
  return openFile(page, "draft.md");
}

// Click the code lens of refs.bib with the most citations ("cited N× in M drafts"): the
// references peek opens on the draft, counting N locations. Returns what it saw.
async function clickCitationLens(page) {
  await openFile(page, "refs.bib");
  // A lens with a command is a link; "not cited" is plain text.
  const links = page.locator(`${editorArea} .codelens-decoration a`, { hasText: /cited \d+×/ });
  await links.first().waitFor({ timeout: 60000 });
  const lenses = await page.locator(`${editorArea} .codelens-decoration`).allInnerTexts();
  const notCitedLinks = await page.locator(`${editorArea} .codelens-decoration a`, { hasText: "not cited" }).count();
  const titles = await links.allInnerTexts();
  const counts = titles.map((text) => Number(/cited (\d+)×/.exec(text)[1]));
  const most = counts.indexOf(Math.max(...counts));
  await links.nth(most).click();
  const peek = page.locator(`${editorArea} .reference-zone-widget`);
  await peek.waitFor({ timeout: 30000 });
  // The peek's head names the file of the selected reference and counts them all
  // ("Locations (N)"); its list shows the lines of the references.
  const head = await waitFor(async () => {
    const text = (await peek.locator(".peekview-title").innerText()).trim();
    return /\d/.test(text) ? text : undefined;
  }, 30000, "the count in the peek's head");
  await sleep(500);
  const rows = await peek.locator(".ref-tree .monaco-list-row").allInnerTexts();
  const seen = { lenses, notCitedLinks, clicked: titles[most], cited: counts[most], head, rows };
  await page.keyboard.press("Escape");
  return seen;
}

async function statusText(page) {
  const item = page.locator(".statusbar-item", { hasText: "relwork-ls" });
  return (await item.count()) ? (await item.first().innerText()).trim() : "";
}

async function findingCountInStatus(page) {
  const match = /relwork-ls: (\d+)/.exec(await statusText(page));
  return match ? Number(match[1]) : undefined;
}

// Select the first occurrence of `text` in the editor (Ctrl+F from the top, then Escape).
async function select(page, text) {
  await page.locator(`${editorArea} .view-lines`).first().click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Control+F");
  await page.keyboard.press("Control+A");
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
}

// Select `text` and open the quick-fix menu until it offers `label`: three tries of 10 s.
// Once in five CI runs the menu never showed within 30 s of a single Control+., right after
// typing; why was not established (a rerun passed).
async function openQuickFix(page, text, label) {
  const action = page.locator(".action-widget .monaco-list-row", { hasText: label });
  for (let attempt = 1; ; attempt++) {
    await select(page, text);
    await page.keyboard.press("Control+.");
    try {
      await action.first().waitFor({ timeout: 10000 });
      return action;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press("Escape");
    }
  }
}

async function hoverText(page) {
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  await page.waitForSelector(".monaco-hover-content", { timeout: 30000 });
  await sleep(500);
  const text = await page.locator(".monaco-hover-content").first().innerText();
  await page.keyboard.press("Escape");
  return text;
}

const draftPath = path.join(workspace, "draft.md");
async function saved(page) {
  await page.keyboard.press("Control+S");
  await sleep(1000);
  return fs.readFileSync(draftPath, "utf8");
}

async function bundledCase(page) {
  await openDraft(page);
  await page.waitForSelector(squiggles, { timeout: 60000 });
  log("squiggles", await page.locator(squiggles).count());
  const before = await waitFor(() => findingCountInStatus(page), 30000, "the status bar count");
  log("status_findings_before", before);

  await page.keyboard.press("Control+Shift+M");
  await page.waitForSelector(".markers-panel .monaco-list-row", { timeout: 30000 });
  await sleep(1000);
  const problems = await page.locator(".markers-panel").innerText();
  log("problems_has_suffix_finding", problems.includes("RW003") && problems.includes("superfluous suffix"));
  await page.keyboard.press("Control+Shift+M");

  await select(page, "Chen et al., 2023a");
  const hover = await hoverText(page);
  log("hover_has_title", hover.includes("Extending Context Window"));

  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("A benchmark for code questions (Liu");
  await page.keyboard.press("Control+Space");
  await page.waitForSelector(".suggest-widget .monaco-list-row", { timeout: 30000 });
  await sleep(500);
  log("completion_first", (await page.locator(".suggest-widget .monaco-list-row").first().innerText()).split("\n")[0]);
  await page.keyboard.press("Enter");
  await sleep(500);
  log("completion_inserted", /code questions \(Liu and Wan, 2021/.test(await saved(page)));

  // Quick fix on the misspelled "Roziere et al." (RW005): choose "Spell it …".
  const action = await openQuickFix(page, "Roziere et al., 2023", "Spell it");
  log("quick_fix_offered", (await action.first().innerText()).trim());
  await action.first().click();
  await sleep(500);
  log("quick_fix_applied", (await saved(page)).includes("(Rozière et al., 2023)"));
  const after = await waitFor(async () => {
    const count = await findingCountInStatus(page);
    return count !== undefined && count < before ? count : undefined;
  }, 30000, "the status bar count to drop after the fix");
  log("status_findings_after", after);

  // The code lens of a bibliography entry opens the references peek on its citations.
  const lens = await clickCitationLens(page);
  log("code_lens", lens);
  const counted = /\((\d+)\)|(\d+) references?/.exec(lens.head);
  log("lens_peek_shows_citations", counted !== null
    && Number(counted[1] ?? counted[2]) === lens.cited && lens.cited > 1
    && lens.head.includes("draft.md")
    && lens.rows.filter((row) => / et al\.|, \d{4}/.test(row)).length === lens.cited);
  log("output_says_peek", logs().includes(`references peek: ${lens.cited} citations`));
  // "not cited" is shown as a label, not a link.
  log("uncited_lens_is_label", lens.lenses.includes("not cited") && lens.notCitedLinks === 0);

  const processes = serverProcesses();
  log("server_processes", processes);
  const bundledLibs = path.join(extensionsDir, fs.readdirSync(extensionsDir).find((n) => n.startsWith("relwork.relwork-ls")) ?? "?", "bundled", "libs");
  log("server_is_bundled_copy", processes.length === 1
    && fs.realpathSync(processes[0].exe) === fs.realpathSync("/usr/bin/python3")
    && processes[0].argv.includes("bundled")
    && processes[0].regex.length === 1 && processes[0].regex[0].startsWith(bundledLibs));
  const logged = logs();
  log("output_says_bundled", logged.includes(`(bundled) from ${path.join(bundledLibs, "relwork_ls")}`));
  // The server's $/progress reached the status bar item: indexing began and ended.
  log("status_bar_showed_indexing",
      logged.includes("status bar: relwork-ls: indexing") && logged.includes("status bar: indexing done"));
  await page.screenshot({ path: path.join(userDataDir, "bundled.png") });
}

async function environmentCase(page) {
  await openDraft(page);
  await page.waitForSelector(squiggles, { timeout: 60000 });
  log("squiggles", await page.locator(squiggles).count());
  await select(page, "Chen et al., 2023a");
  log("hover_has_title", (await hoverText(page)).includes("Extending Context Window"));
  const processes = serverProcesses();
  log("server_processes", processes);
  const venv = path.join(workspace, ".venv");
  log("server_is_environment_copy", processes.length === 1
    && processes[0].argv[0] === path.join(venv, "bin", "python")
    && processes[0].argv.includes("environment")
    && processes[0].regex.length === 1 && processes[0].regex[0].startsWith(venv));
  const logged = logs();
  log("output_says_environment", logged.includes(`(environment) from ${venv}`));
  log("trace_logged", /Sending request 'initialize/.test(logged) && /Received notification 'textDocument\/publishDiagnostics'|Received response 'textDocument\/diagnostic/.test(logged));
  await page.screenshot({ path: path.join(userDataDir, "environment.png") });
}

async function noPythonCase(page) {
  await openDraft(page);
  const toast = page.locator(".notification-toast", { hasText: "no usable Python" });
  await toast.waitFor({ timeout: 60000 });
  log("notification", (await toast.locator(".notification-list-item-message").innerText()).trim());
  await toast.locator(".monaco-button", { hasText: "Open settings" }).click();
  await page.waitForSelector(".settings-editor", { timeout: 30000 });
  await sleep(1000);
  const shown = await page.locator(".settings-editor").innerText();
  log("settings_opened_on_interpreter", shown.includes("Interpreter") && shown.includes("relwork-ls"));
  log("status", await statusText(page));
  log("no_server_process", serverProcesses().length === 0);
  await page.screenshot({ path: path.join(userDataDir, "nopython.png") });
}

const cases = {
  bundled: [bundledCase, ["squiggles", "status_findings_before", "problems_has_suffix_finding",
    "hover_has_title", "completion_inserted", "quick_fix_applied", "status_findings_after",
    "lens_peek_shows_citations", "output_says_peek", "uncited_lens_is_label",
    "server_is_bundled_copy", "output_says_bundled", "status_bar_showed_indexing"]],
  environment: [environmentCase, ["squiggles", "hover_has_title", "server_is_environment_copy",
    "output_says_environment", "trace_logged"]],
  nopython: [noPythonCase, ["notification", "settings_opened_on_interpreter", "no_server_process"]],
};

let browser;
try {
  log("extensions_installed", (process.env.RELWORK_INSTALLED || "").split("\n").filter(Boolean));
  await waitForServer();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  await cases[testCase][0](page);
} catch (error) {
  log("error", String(error && error.stack || error));
  try {
    const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
    if (pages[0]) await pages[0].screenshot({ path: path.join(userDataDir, `${testCase}-error.png`) });
  } catch {}
} finally {
  if (browser) await browser.close();
  server.kill();
}
const onlyOurs = results.extensions_installed.length === 1
  && results.extensions_installed[0].startsWith("relwork.relwork-ls");
const ok = !results.error && onlyOurs && cases[testCase][1].every((name) => Boolean(results[name]));
console.log(JSON.stringify({ case: testCase, ok }));
process.exit(ok ? 0 : 1);
