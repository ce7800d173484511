-- Drives relwork-ls inside headless Neovim for tests/test_nvim_client.py and writes what
-- it saw to $RELWORK_OUT as JSON. Uses only the plugin in editors/nvim.
local out = {}
local function finish()
  vim.fn.writefile({ vim.json.encode(out) }, os.getenv("RELWORK_OUT"))
  vim.cmd("qa!")
end

-- The report of :checkhealth relwork_ls, as text.
function checkhealth()
  vim.cmd("checkhealth relwork_ls")
  vim.wait(5000, function()
    return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n"):find("relwork%-ls project") ~= nil
      or table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n"):find("ERROR") ~= nil
  end, 50)
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
end

local ok, err = xpcall(function()
  vim.opt.runtimepath:prepend(os.getenv("RELWORK_PLUGIN"))
  if os.getenv("RELWORK_LEGACY") == "1" then
    -- Take the path of Neovim 0.8-0.10, which have neither vim.lsp.config nor enable.
    rawset(vim.lsp, "config", nil)
    rawset(vim.lsp, "enable", nil)
  end
  out.legacy = vim.lsp.config == nil
  -- A user's on_attach: it runs, and so does the plugin's (the code lenses below).
  require("relwork_ls").setup({
    cmd = vim.json.decode(os.getenv("RELWORK_CMD")),
    on_attach = function(_, bufnr) out.user_on_attach = vim.bo[bufnr].filetype end,
  })
  if os.getenv("RELWORK_ONLY_HEALTH") == "1" then
    vim.cmd.edit(os.getenv("RELWORK_FILE"))
    out.health = checkhealth()
    return
  end
  vim.cmd.edit(os.getenv("RELWORK_FILE"))
  out.filetype = vim.bo.filetype

  vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out.diagnostics, { code = d.code, lnum = d.lnum, col = d.col, message = d.message })
  end
  local client = vim.lsp.get_clients({ bufnr = 0, name = "relwork_ls" })[1]
  out.client = client and client.name or nil
  out.encoding = client and client.offset_encoding or nil

  -- Hover the "Chen et al." of the Codex citation.
  vim.fn.cursor(1, 1)
  vim.fn.search("Chen et al")
  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover",
    vim.lsp.util.make_position_params(0, client.offset_encoding), 10000)
  for _, response in pairs(hover or {}) do
    if response.result then out.hover = response.result.contents.value end
  end

  -- Complete after "(Xu" on the last line.
  local last = vim.api.nvim_buf_line_count(0)
  local line = vim.api.nvim_buf_get_lines(0, last - 1, last, false)[1]
  -- As in insert mode after typing the line: the position is past its last character.
  local position = { textDocument = { uri = vim.uri_from_bufnr(0) },
                     position = { line = last - 1, character = #line } }
  local completion = vim.lsp.buf_request_sync(0, "textDocument/completion", position, 10000)
  out.completion = {}
  for _, response in pairs(completion or {}) do
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do table.insert(out.completion, item.label) end
  end

  -- Apply the quick fix of the RW005 diagnostic.
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.code == "RW005" then
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(0) },
        range = { start = { line = d.lnum, character = d.col },
                  ["end"] = { line = d.end_lnum, character = d.end_col } },
        context = { diagnostics = { d.user_data.lsp } },
      }
      local actions = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 10000)
      for _, response in pairs(actions or {}) do
        for _, action in ipairs(response.result or {}) do
          if action.title:find("^Spell it") then
            out.action = action.title
            vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
          end
        end
      end
      out.fixed_line = vim.api.nvim_buf_get_lines(0, d.lnum, d.lnum + 1, false)[1]
      break
    end
  end

  -- The bibliography too: filetype bib, the same client, hover on an entry's key.
  vim.cmd.edit(os.getenv("RELWORK_BIB"))
  out.bib_filetype = vim.bo.filetype
  vim.wait(10000, function() return #vim.lsp.get_clients({ bufnr = 0, name = "relwork_ls" }) > 0 end, 50)
  local bib_client = vim.lsp.get_clients({ bufnr = 0, name = "relwork_ls" })[1]
  out.bib_same_client = bib_client ~= nil and bib_client.id == client.id
  vim.fn.cursor(1, 1)
  vim.fn.search("chen2021codex")
  local bib_hover = vim.lsp.buf_request_sync(0, "textDocument/hover",
    vim.lsp.util.make_position_params(0, client.offset_encoding), 10000)
  for _, response in pairs(bib_hover or {}) do
    if response.result then out.bib_hover = response.result.contents.value end
  end

  -- The code lenses of the bibliography: shown without being asked for (virtual text), and
  -- running the one of chen2021codex fills the quickfix list with its citations.
  vim.wait(15000, function() return #vim.lsp.codelens.get(0) >= 3 end, 50)
  out.lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(0)) do
    table.insert(out.lenses, { line = lens.range.start.line, title = lens.command and lens.command.title,
                               command = lens.command and lens.command.command })
  end
  vim.wait(5000, function()
    for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, -1, 0, -1, { details = true })) do
      for _, chunk in ipairs(mark[4].virt_text or {}) do
        if chunk[1]:find("cited") then return true end
      end
    end
    return false
  end, 50)
  out.lens_text = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, -1, 0, -1, { details = true })) do
    for _, chunk in ipairs(mark[4].virt_text or {}) do
      if chunk[1]:find("cited") then table.insert(out.lens_text, { line = mark[2], text = chunk[1] }) end
    end
  end
  vim.fn.setqflist({}, 'r', { title = "before", items = {} })
  vim.fn.cursor(1, 1)
  vim.fn.search("chen2021codex")
  vim.lsp.codelens.run()
  vim.wait(10000, function() return #vim.fn.getqflist() > 0 end, 50)
  out.quickfix_title = vim.fn.getqflist({ title = 1 }).title
  out.quickfix = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    table.insert(out.quickfix, { file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(item.bufnr), ":t"),
                                 lnum = item.lnum, col = item.col, text = item.text })
  end
  out.quickfix_open = vim.fn.getqflist({ winid = 1 }).winid ~= 0

  out.health = checkhealth()
end, debug.traceback)

if not ok then out.error = err end
finish()
