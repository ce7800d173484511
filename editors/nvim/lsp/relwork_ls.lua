-- relwork-ls for Neovim 0.11+: `vim.lsp.enable("relwork_ls")` picks this file up from the
-- runtimepath. Override any field with `vim.lsp.config("relwork_ls", { ... })`.
return {
  cmd = { "relwork-ls", "serve" },
  filetypes = { "text", "markdown", "tex", "plaintex", "rmd", "quarto" },
  root_markers = { "relwork.toml", ".relwork.toml", "pyproject.toml", ".git" },
  settings = { relwork = {} },
}
