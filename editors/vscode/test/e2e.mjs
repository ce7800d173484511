// Real-editor test: code-server with the packaged relwork-ls.vsix, driven headless by
// Playwright in Chromium. Opens a Qwen draft (a copy in a temporary workspace), waits for
// the drift squiggle and its Problems entry, hovers a citation, accepts a completion and
// applies a quick fix. Run by editors/vscode/test/run.sh; prints one JSON line per check.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const [codeServer, workspace, extensionsDir, userDataDir, port, python] = process.argv.slice(2);
const results = {};
const log = (name, value) => { results[name] = value; console.log(JSON.stringify({ [name]: value })); };

// Workspace settings: start the server with the interpreter that has relwork-ls.
fs.mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
fs.writeFileSync(path.join(workspace, ".vscode", "settings.json"), JSON.stringify({
  "relwork-ls.pythonPath": python,
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "editor.quickSuggestions": { other: true, comments: false, strings: false },
}));

const server = spawn(codeServer, [
  "--bind-addr", `127.0.0.1:${port}`, "--auth", "none", "--disable-telemetry",
  "--disable-update-check", "--disable-workspace-trust", "--extensions-dir", extensionsDir,
  "--user-data-dir", userDataDir, workspace,
], { stdio: ["ignore", "pipe", "pipe"] });
server.stderr.on("data", (d) => process.stderr.write(d));

async function waitForServer() {
  for (let i = 0; i < 120; i++) {
    try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("code-server did not start");
}

let browser;
try {
  await waitForServer();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });

  // Open the older draft from the Explorer.
  const fileRow = page.locator(".explorer-folders-view .monaco-list-row", {
    hasText: "related_work_v1.txt",
  });
  await fileRow.waitFor({ timeout: 60000 });
  await fileRow.click();
  await page.waitForSelector(".tabs-container .tab:has-text('related_work_v1.txt')",
                             { timeout: 30000 });
  const editorArea = ".editor-instance .monaco-editor";
  await page.waitForSelector(`${editorArea} .view-lines`, { timeout: 30000 });

  // The drift finding appears as a squiggle and in the Problems panel.
  await page.waitForSelector(`${editorArea} .squiggly-warning, ${editorArea} .squiggly-error`,
                             { timeout: 60000 });
  log("squiggles", await page.locator(`${editorArea} .squiggly-warning, ${editorArea} .squiggly-error`).count());
  await page.keyboard.press("Control+Shift+M");
  await page.waitForSelector(".markers-panel .monaco-list-row", { timeout: 30000 });
  await page.waitForTimeout(1000);
  const problems = await page.locator(".markers-panel").innerText();
  log("problems_has_drift", problems.includes("RW101"));
  log("problems_has_drift_message", problems.includes("in the same sentence"));
  await page.keyboard.press("Control+Shift+M");

  // Go to a citation with Ctrl+G then Ctrl+F: the first "Chen et al., 2023b".
  await page.locator(`${editorArea} .view-lines`).first().click();
  await page.keyboard.press("Control+F");
  await page.keyboard.type("Chen et al., 2023b");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  // Hover the selected citation through the command palette (the mouse needs coordinates).
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  await page.waitForSelector(".monaco-hover-content", { timeout: 30000 });
  await page.waitForTimeout(500);
  const hover = await page.locator(".monaco-hover-content").first().innerText();
  log("hover_has_title", hover.includes("AgentVerse") || hover.includes("Phoenix"));
  await page.keyboard.press("Escape");

  // Completion: type "(Xu" at the end of the document and accept the first item.
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("New sentence (Xu");
  await page.keyboard.press("Control+Space");
  await page.waitForSelector(".suggest-widget .monaco-list-row", { timeout: 30000 });
  await page.waitForTimeout(500);
  const firstItem = await page.locator(".suggest-widget .monaco-list-row").first().innerText();
  log("completion_first", firstItem.split("\n")[0]);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(500);
  // Read the document back from disk after saving: what the editor really holds.
  const draftPath = path.join(workspace, "related_work_v1.txt");
  const saved = async () => {
    await page.keyboard.press("Control+S");
    await page.waitForTimeout(1000);
    return fs.readFileSync(draftPath, "utf8");
  };
  const afterCompletion = await saved();
  log("completion_inserted", /New sentence \(Xu et al\., 2023[a-d]/.test(afterCompletion));

  // Quick fix: on the Codex citation "Chen et al. (2021a)" (superfluous suffix).
  await page.keyboard.press("Control+F");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Chen et al. (2021a)");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+.");
  await page.waitForSelector(".action-widget .monaco-list-row, .context-view .action-list",
                             { timeout: 30000 });
  await page.waitForTimeout(500);
  const actions = await page.locator(".action-widget, .context-view").first().innerText();
  log("quick_fix_offered", actions.includes("RW101") || actions.includes("RW003") || actions.includes("RW203"));
  await page.keyboard.press("Enter");
  await page.waitForTimeout(1000);
  const afterFix = await saved();
  log("quick_fix_applied",
      !afterFix.includes("Codex Chen et al. (2021a)") && afterFix.includes("Codex ")
      && /Codex \(?Chen et al\.[ ,(]+2021[)]/.test(afterFix));
  await page.screenshot({ path: path.join(userDataDir, "final.png") });
} catch (error) {
  log("error", String(error && error.stack || error));
  try {
    const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
    if (pages[0]) await pages[0].screenshot({ path: path.join(userDataDir, "error.png") });
  } catch {}
} finally {
  if (browser) await browser.close();
  server.kill();
}
const ok = !results.error && results.squiggles > 0 && results.problems_has_drift
  && results.hover_has_title && results.completion_inserted && results.quick_fix_applied;
console.log(JSON.stringify({ ok }));
process.exit(ok ? 0 : 1);
