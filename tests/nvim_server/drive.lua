-- Drives relwork-ls in headless Neovim 0.11 with a minimal client of its own (vim.lsp.start,
-- no plugin) for tests/test_server_nvim.py; writes what it saw to $RELWORK_OUT as JSON.
local out = {}
local root = os.getenv("RELWORK_ROOT")
local cmd = vim.json.decode(os.getenv("RELWORK_CMD"))

local function step(name)
  out.step = name
  vim.fn.writefile({ vim.json.encode(out) }, os.getenv("RELWORK_OUT"))
end

local function finish()
  vim.fn.writefile({ vim.json.encode(out) }, os.getenv("RELWORK_OUT"))
  vim.cmd("qa!")
end

local function codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do table.insert(found, d.code) end
  table.sort(found)
  return found
end

local function has(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == code then return true end
  end
  return false
end

local ok, err = xpcall(function()
  vim.g.tex_flavor = "latex"
  vim.filetype.add({ extension = { bib = "bib" } })
  vim.api.nvim_create_autocmd("FileType", {
    pattern = { "markdown", "tex", "plaintex", "bib" },
    callback = function(args)
      vim.lsp.start({ name = "relwork", cmd = cmd, root_dir = root }, { bufnr = args.buf })
    end,
  })
  vim.o.completeopt = "menuone,noinsert"

  step("start")
  -- Two LaTeX drafts citing one key; rename it from the first, write everything.
  vim.cmd.edit(root .. "/paper2.tex")
  local paper2 = vim.api.nvim_get_current_buf()
  vim.cmd.edit(root .. "/paper1.tex")
  local paper1 = vim.api.nvim_get_current_buf()
  local client
  vim.wait(30000, function()
    client = vim.lsp.get_clients({ bufnr = paper1, name = "relwork" })[1]
    return client ~= nil and client.initialized
  end, 50)
  -- Ready once the server resolves the key under the cursor (its first lint is done).
  vim.fn.cursor(1, 1)
  vim.fn.search("chen2021codex")
  vim.wait(30000, function()
    local reply = vim.lsp.buf_request_sync(paper1, "textDocument/hover",
      vim.lsp.util.make_position_params(0, client.offset_encoding), 2000)
    for _, response in pairs(reply or {}) do
      if response.result then return true end
    end
    return false
  end, 200)
  out.before_rename = codes(paper2)
  vim.fn.cursor(1, 1)
  vim.fn.search("chen2021codex")
  vim.lsp.buf.rename("chen2021humaneval")
  vim.wait(10000, function()
    return vim.api.nvim_buf_get_lines(paper2, 0, 1, false)[1]:find("chen2021humaneval") ~= nil
  end, 50)
  vim.cmd("silent! wall")
  vim.wait(15000, function() return not has(paper2, "RW007") and not has(paper1, "RW007") end, 100)
  out.paper2_line = vim.api.nvim_buf_get_lines(paper2, 0, 1, false)[1]
  out.after_rename = codes(paper2)

  step("renamed")
  -- The bibliography changes on disk (no file watching on Linux): a second Chen et al.
  -- 2021 work makes "2021a" right.
  vim.cmd.edit(root .. "/draft.md")
  local draft = vim.api.nvim_get_current_buf()
  vim.wait(15000, function() return has(draft, "RW003") end, 50)
  out.before_disk = codes(draft)
  -- The rename opened refs.bib in a buffer (whose text the server then uses): close it, so
  -- the file on disk is what counts again.
  local refs_buffer = vim.fn.bufnr(root .. "/refs.bib")
  if refs_buffer > 0 then vim.api.nvim_buf_delete(refs_buffer, { force = true }) end
  vim.wait(3000, function() return false end, 100)
  local bib = io.open(root .. "/refs.bib", "a")
  bib:write("@misc{chen2021z, author={Chen, Zed and Li, A. and Wu, B.}, title={Zed}, year={2021}}\n")
  bib:close()
  vim.wait(15000, function() return not has(draft, "RW003") end, 100)
  out.after_disk = codes(draft)

  step("disk")
  -- Hover on a key in the bibliography itself.
  vim.cmd.edit(root .. "/refs.bib")
  local refs = vim.api.nvim_get_current_buf()
  vim.wait(15000, function() return #vim.lsp.get_clients({ bufnr = refs }) > 0 end, 50)
  vim.fn.cursor(1, 1)
  vim.fn.search("xu2023wizardlm")
  local hover = vim.lsp.buf_request_sync(refs, "textDocument/hover",
    vim.lsp.util.make_position_params(0, client.offset_encoding), 10000)
  for _, response in pairs(hover or {}) do
    if response.result then out.bib_hover = response.result.contents.value end
  end
  -- Accept a label completion after "(Xu et al., 20" for real: Neovim's own completion
  -- (vim.lsp.completion), the popup, <C-y>. Keys are only read once this script returns,
  -- so the steps go on in timers and the last one writes the results.
  step("completion")
  vim.cmd.edit(root .. "/draft.md")
  local draft = vim.api.nvim_get_current_buf()
  vim.lsp.completion.enable(true, client.id, draft, { autotrigger = false })
  vim.o.completeopt = "menu,menuone,noinsert"
  local last = vim.api.nvim_buf_line_count(draft)
  vim.api.nvim_buf_set_lines(draft, last, last, false, { "More (Xu et al., 20" })
  vim.api.nvim_win_set_cursor(0, { last + 1, 19 })
  vim.api.nvim_feedkeys("A", "n", false)
  vim.defer_fn(function()
    vim.lsp.completion.get()
    vim.defer_fn(function()
      out.pum = vim.fn.pumvisible()
      vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("<C-y>", true, false, true), "n", false)
      vim.defer_fn(function()
        out.completed_line = vim.api.nvim_buf_get_lines(draft, last, last + 1, false)[1]
        finish()
      end, 1500)
    end, 3000)
  end, 500)
end, debug.traceback)

if not ok then
  out.error = err
  finish()
end
