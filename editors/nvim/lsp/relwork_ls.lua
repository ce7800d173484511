---@brief
---
--- https://github.com/relwork/relwork-ls
---
--- Checks the citations of a manuscript against its bibliography: rendered author-year
--- citations ("(Xu et al., 2023a,c)"), LaTeX `\citep{key}` and Pandoc `[@key]` in text,
--- Markdown and LaTeX drafts, and the entries of BibTeX files.
---
--- Install the server with `pip install` from a checkout or a release (`relwork-ls` must
--- be on `PATH`, or set `cmd`). Settings under `relwork` take the keys of `relwork.toml`
--- (`bibliographies`, `style`, `select`, `ignore`, `severity`, `drafts`, ...); a
--- `relwork.toml` in the project applies too, with these settings on top:
---
--- ```lua
--- vim.lsp.config('relwork_ls', {
---   settings = { relwork = { bibliographies = { 'refs.bib' }, ignore = { 'RW302' } } },
--- })
--- ```
---
--- `:checkhealth relwork_ls` shows whether the server is found, its version and the
--- bibliographies of the current project.
---
--- In a bibliography, a code lens on each entry counts its citations ("cited 2× in 1
--- draft"); `vim.lsp.codelens.run()` on that line lists them in the quickfix list. The
--- lenses are refreshed by `on_attach` below: keep it if you set your own (call both).

-- A request from 0.11's client object, or from 0.8-0.10's (no method syntax there).
local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

---@type vim.lsp.Config
return {
  cmd = { 'relwork-ls', 'serve' },
  filetypes = { 'text', 'markdown', 'tex', 'plaintex', 'rmd', 'quarto', 'bib' },
  root_markers = { 'relwork.toml', '.relwork.toml', 'pyproject.toml', '.git' },
  settings = { relwork = {} },
  commands = {
    -- The command of the code lens (arguments: uri, position). The server runs it by
    -- returning the entry's citations as Locations; they go to the quickfix list.
    ['relwork-ls.references'] = function(command, ctx)
      local client = assert(vim.lsp.get_client_by_id(ctx.client_id))
      local params = { command = command.command, arguments = command.arguments }
      request(client, 'workspace/executeCommand', params, function(err, locations)
        if err then
          vim.notify('relwork-ls: ' .. tostring(err.message or err), vim.log.levels.ERROR)
          return
        end
        if locations == nil or vim.tbl_isempty(locations) then
          vim.notify('relwork-ls: no citations of this entry')
          return
        end
        local items = vim.lsp.util.locations_to_items(locations, client.offset_encoding)
        vim.fn.setqflist({}, ' ', { title = 'relwork-ls: ' .. command.title, items = items })
        vim.cmd('botright copen')
      end, ctx.bufnr)
    end,
  },
  -- Neovim shows code lenses only when asked: refresh them on attach, on entering the
  -- buffer and after changes (the counts follow the drafts).
  on_attach = function(client, bufnr)
    if not client.server_capabilities.codeLensProvider then
      return
    end
    -- Newer Neovims keep enabled lenses up to date themselves.
    if vim.lsp.codelens.enable ~= nil and pcall(vim.lsp.codelens.enable, true, { bufnr = bufnr }) then
      return
    end
    local function refresh()
      if vim.api.nvim_buf_is_valid(bufnr) then
        vim.lsp.codelens.refresh({ bufnr = bufnr })
      end
    end
    refresh()
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = vim.api.nvim_create_augroup('relwork_ls.codelens.' .. bufnr, { clear = true }),
      buffer = bufnr,
      callback = refresh,
    })
  end,
}
