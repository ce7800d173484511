-- relwork-ls client for Neovim: `require("relwork_ls").setup(opts)`.
-- On 0.11+ it registers the config with vim.lsp.config and enables it; on 0.8-0.10 it
-- starts the client with vim.lsp.start from a FileType autocommand.
local M = {}

--- The defaults: lsp/relwork_ls.lua of this plugin (the one config for both paths).
function M.defaults()
  local file = vim.api.nvim_get_runtime_file("lsp/relwork_ls.lua", false)[1]
  return vim.deepcopy(dofile(file))
end

-- What setup() was last given, merged over the defaults (read by :checkhealth relwork_ls).
M.config = nil

local function root_dir(markers, bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= "" and vim.fs.dirname(name) or vim.loop.cwd()
  local found = vim.fs.find(markers, { path = start, upward = true })[1]
  return found and vim.fs.dirname(found) or start
end
M.root_dir = root_dir

--- Configure and enable relwork-ls. `opts` overrides the defaults (cmd, filetypes,
--- root_markers, settings, commands) and may add capabilities or an on_attach, which runs
--- after the default one.
function M.setup(opts)
  local defaults = M.defaults()
  local config = vim.tbl_deep_extend("force", defaults, opts or {})
  -- A user's on_attach runs after the default one (which shows the code lenses).
  if opts and opts.on_attach and defaults.on_attach then
    local mine, theirs = defaults.on_attach, opts.on_attach
    config.on_attach = function(client, bufnr)
      mine(client, bufnr)
      theirs(client, bufnr)
    end
  end
  M.config = config
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    vim.lsp.config("relwork_ls", config)
    vim.lsp.enable("relwork_ls")
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("relwork_ls", { clear = true }),
    pattern = config.filetypes,
    callback = function(args)
      vim.lsp.start({
        name = "relwork_ls",
        cmd = config.cmd,
        root_dir = root_dir(config.root_markers, args.buf),
        settings = config.settings,
        on_attach = config.on_attach,
        commands = config.commands,
        capabilities = config.capabilities,
      }, { bufnr = args.buf })
    end,
  })
end

return M
