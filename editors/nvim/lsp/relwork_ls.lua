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

---@type vim.lsp.Config
return {
  cmd = { 'relwork-ls', 'serve' },
  filetypes = { 'text', 'markdown', 'tex', 'plaintex', 'rmd', 'quarto', 'bib' },
  root_markers = { 'relwork.toml', '.relwork.toml', 'pyproject.toml', '.git' },
  settings = { relwork = {} },
}
