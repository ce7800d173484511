-- :checkhealth relwork_ls — is the server found and which version, which relwork-ls
-- client runs for the current buffer, and which bibliographies the project has (with the
-- number of entries the server reads from each).
local M = {}

local health = vim.health
local BIBLIOGRAPHY_PATTERNS = { "%.bib$", "%.bbl$" }
local SKIPPED_FOLDERS = { [".git"] = true, ["node_modules"] = true, [".venv"] = true, ["venv"] = true }

-- The config in force: vim.lsp.config (0.11+) resolves lsp/relwork_ls.lua and overrides;
-- before that, what setup() was given.
local function current_config()
  local ok, config = pcall(function()
    return vim.lsp.config ~= nil and vim.lsp.config.relwork_ls or nil
  end)
  if ok and config ~= nil and config.cmd ~= nil then
    return config
  end
  local plugin = require("relwork_ls")
  return plugin.config or plugin.defaults()
end

-- Run `argv`: exit code, stdout, stderr (vim.system on 0.10+, else vim.fn.system).
local function run(argv)
  if vim.system ~= nil then
    local ok, process = pcall(vim.system, argv, { text = true })
    if not ok then
      return -1, "", tostring(process)
    end
    local done = process:wait(30000)
    return done.code, done.stdout or "", done.stderr or ""
  end
  local output = vim.fn.system(argv)
  return vim.v.shell_error, output, ""
end

-- The server command with its last argument ("serve") replaced by `arguments`.
local function server_command(cmd, arguments)
  local argv = vim.deepcopy(cmd)
  if argv[#argv] == "serve" then
    table.remove(argv)
  end
  vim.list_extend(argv, arguments)
  return argv
end

local function bibliographies_under(root)
  local found = {}
  for name, kind in vim.fs.dir(root, {
    depth = 4,
    skip = function(folder) return not SKIPPED_FOLDERS[vim.fs.basename(folder)] end,
  }) do
    if kind == "file" then
      for _, pattern in ipairs(BIBLIOGRAPHY_PATTERNS) do
        if name:match(pattern) then
          table.insert(found, root .. "/" .. name)
        end
      end
    end
  end
  table.sort(found)
  return found
end

function M.check()
  health.start("relwork-ls server")
  local config = current_config()
  local cmd = config.cmd
  if type(cmd) ~= "table" or cmd[1] == nil then
    health.error("cmd is not a list of strings: " .. vim.inspect(cmd))
    return
  end
  local executable = vim.fn.exepath(cmd[1])
  if executable == "" then
    health.error(("server not found: %s is not executable"):format(cmd[1]), {
      "Install relwork-ls (pip install from a checkout or a release) so that relwork-ls is on PATH",
      "or set cmd: vim.lsp.config('relwork_ls', { cmd = { '/path/to/relwork-ls', 'serve' } })",
    })
    return
  end
  health.ok(("server found: %s (cmd: %s)"):format(executable, table.concat(cmd, " ")))
  local version_command = server_command(cmd, { "--version" })
  local code, stdout, stderr = run(version_command)
  local version = stdout:match("relwork%-ls ([%w%.%-%+]+)")
  if code == 0 and version ~= nil then
    health.ok("version " .. version)
  else
    local reason = vim.trim(stderr ~= "" and stderr or stdout)
    health.error(("`%s` failed: %s"):format(table.concat(version_command, " "), reason))
    return
  end

  health.start("relwork-ls project")
  local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
  local client = get_clients({ name = "relwork_ls" })[1]
  local root = client and client.config.root_dir
  if root == nil then
    -- :checkhealth shows its report in a buffer of its own: look from the buffer it was
    -- called from (the alternate one), else from the current folder.
    local buffer = vim.fn.bufnr("#")
    if buffer > 0 and vim.api.nvim_buf_get_name(buffer) ~= "" then
      root = require("relwork_ls").root_dir(config.root_markers or {}, buffer)
    else
      root = vim.loop.cwd()
    end
  end
  root = vim.fn.fnamemodify(root, ":p"):gsub("/$", "")
  if client ~= nil then
    health.ok(("client %d running, root %s"):format(client.id, root))
  else
    health.info(("no relwork_ls client is running; project root would be %s"):format(root))
  end
  for _, name in ipairs({ "relwork.toml", ".relwork.toml" }) do
    if vim.fn.filereadable(root .. "/" .. name) == 1 then
      health.ok("configuration: " .. root .. "/" .. name)
    end
  end
  local bibliographies = bibliographies_under(root)
  if #bibliographies == 0 then
    health.warn("no bibliography (.bib, .bbl) under " .. root, {
      "name one in relwork.toml (bibliographies = [\"refs.bib\"]) or in settings.relwork.bibliographies",
    })
    return
  end
  for _, path in ipairs(bibliographies) do
    local labels_command = server_command(cmd, { "labels", path, "--format", "json", "--no-bbl" })
    local labels_code, labels, problems = run(labels_command)
    local ok, entries = pcall(vim.json.decode, labels_code == 0 and labels or "")
    if ok and type(entries) == "table" then
      local message = ("bibliography %s: %d %s"):format(path, #entries, #entries == 1 and "entry" or "entries")
      if problems ~= "" then
        health.warn(message .. ", with problems:\n" .. vim.trim(problems))
      else
        health.ok(message)
      end
    else
      health.warn(("bibliography %s could not be read: %s"):format(path, vim.trim(problems)))
    end
  end
end

return M
