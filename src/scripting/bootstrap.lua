-- Runs once in each Lua state fastkey creates (the EVAL state and the
-- functions state), with the table of Rust callbacks as its argument.
-- It builds the `redis` API, replaces `pcall` the way Redis 7.0 does, and
-- returns the sandbox: a read-only globals proxy that scripts run in, plus
-- helpers the Rust side calls. Everything here captures the standard
-- functions it needs before the sandbox hides them.

local fk, kind = ...
local api_tlib
local G = _G
local error, pcall, xpcall, type, select, rawset, rawget, setmetatable, tostring, unpack, setfenv, loadstring, load, next =
    error, pcall, xpcall, type, select, rawset, rawget, setmetatable, tostring, unpack, setfenv, loadstring, load, next

-- Tables the sandbox protects, mapped to what they stand for.
local protected = setmetatable({}, { __mode = 'k' })

local function ro_error()
    error('Attempt to modify a readonly table', 2)
end

local function readonly(t)
    local p = setmetatable({}, { __index = t, __newindex = ro_error })
    protected[p] = t
    return p
end

-- Raises the error a Rust callback reported, or returns its results.
local function check(ok, ...)
    if ok then
        return ...
    end
    error((...), 0)
end

local redis = {}
redis.call = function(...) return check(fk.call(true, ...)) end
redis.pcall = function(...) return check(fk.call(false, ...)) end
redis.error_reply = function(...) return check(fk.error_reply(...)) end
redis.status_reply = function(...) return check(fk.status_reply(...)) end
redis.sha1hex = function(...) return check(fk.sha1hex(...)) end
redis.log = function(...) return check(fk.log(...)) end
redis.setresp = function(...) return check(fk.setresp(...)) end
redis.set_repl = function(...) return check(fk.set_repl(...)) end
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.LOG_DEBUG = 0
redis.LOG_VERBOSE = 1
redis.LOG_NOTICE = 2
redis.LOG_WARNING = 3
redis.REPL_NONE = 0
redis.REPL_AOF = 1
redis.REPL_SLAVE = 2
redis.REPL_REPLICA = 2
redis.REPL_ALL = 3
redis.REDIS_VERSION = fk.version
redis.REDIS_VERSION_NUM = fk.version_num
-- Only library code being loaded sees register_function (in `lredis`).
local register_function = function(...) return check(fk.register_function(...)) end

local function mklib(name)
    local t = {}
    for k, v in next, fk[name] do
        t[k] = function(...) return check(v(...)) end
    end
    return t
end
local cjson = mklib('cjson')
cjson.null = fk.cjson_null
local cmsgpack = mklib('cmsgpack')
local bit = mklib('bit')
local struct = mklib('struct')

-- Redis 7.0's pcall: an error table caught becomes its `err` string.
local function fix_pcall(ok, ...)
    if ok then
        return ok, ...
    end
    local e = ...
    local t = type(e)
    if t == 'table' then
        local m = e.err
        if type(m) == 'string' or type(m) == 'number' then
            return false, m
        end
    elseif t == 'userdata' then
        return false, tostring(e)
    end
    return false, e
end
local function safe_pcall(f, ...)
    return fix_pcall(pcall(f, ...))
end

-- The globals scripts see: reads of unknown names and every write fail.
local env = {}
local names = {
    'assert', 'collectgarbage', 'error', 'gcinfo', 'getmetatable', 'ipairs',
    'next', 'pairs', 'rawequal', 'rawget', 'rawset', 'select', 'setmetatable',
    'tonumber', 'tostring', 'type', 'unpack', 'xpcall', '_VERSION',
}
for _, n in ipairs(names) do
    env[n] = G[n]
end
env.pcall = safe_pcall
env.string = readonly(G.string)
-- table functions that write refuse protected tables, as Redis's
-- read-only tables make them.
local tlib = {}
for k, v in next, G.table do
    tlib[k] = v
end
for _, n in ipairs({ 'insert', 'remove', 'sort' }) do
    local f = G.table[n]
    tlib[n] = function(t, ...)
        if protected[t] then
            error('Attempt to modify a readonly table', 0)
        end
        return f(t, ...)
    end
end
env.table = readonly(tlib)
api_tlib = tlib
env.math = readonly(G.math)
env.coroutine = readonly(G.coroutine)
env.redis = readonly(redis)
env.cjson = readonly(cjson)
env.cmsgpack = readonly(cmsgpack)
env.bit = readonly(bit)
env.struct = readonly(struct)

local proxy
local function sandbox(f)
    setfenv(f, proxy)
    return f
end
env.loadstring = function(s, name)
    local f, e = loadstring(s, name)
    if f then
        sandbox(f)
    end
    return f, e
end
env.load = function(fn, name)
    local f, e = load(fn, name)
    if f then
        sandbox(f)
    end
    return f, e
end
env.rawset = function(t, k, v)
    if protected[t] then
        error('Attempt to modify a readonly table', 0)
    end
    return rawset(t, k, v)
end
env.rawget = function(t, k)
    local real = protected[t]
    if real then
        return rawget(real, k)
    end
    return rawget(t, k)
end
-- Metatables of protected tables and of strings are handed out as
-- read-only views, and protected tables keep theirs.
local getmetatable = getmetatable
local views = setmetatable({}, { __mode = 'k' })
env.getmetatable = function(t)
    local mt = getmetatable(t)
    if mt ~= nil and (protected[t] or type(t) == 'string') then
        local v = views[mt]
        if not v then
            v = readonly(mt)
            views[mt] = v
        end
        return v
    end
    return mt
end
env.setmetatable = function(t, mt)
    if protected[t] then
        error('Attempt to modify a readonly table', 0)
    end
    return setmetatable(t, mt)
end
getmetatable('').__index = env.string
env.__redis__err__handler = fk.err_handler

-- While a function library's code loads, its globals are only a `redis`
-- table limited to what loading may use (Redis's library API).
local loading = false
local lredis = setmetatable({
    register_function = kind == 'functions' and register_function or nil,
    log = redis.log,
    REDIS_VERSION = redis.REDIS_VERSION,
    REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
}, {
    __index = function(_, k)
        error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
    end,
    __newindex = ro_error,
    __metatable = false,
})

local globals_mt = {
    __index = function(_, k)
        local v
        if loading then
            if k == 'redis' then
                v = lredis
            end
        else
            v = env[k]
        end
        if v == nil then
            error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
        end
        return v
    end,
    __newindex = ro_error,
}
proxy = setmetatable({}, globals_mt)
protected[proxy] = env
env._G = proxy

-- Helpers for the Rust side.
local api = {}
api.sandbox = sandbox
api.set_keys = function(keys, argv)
    env.KEYS = keys
    env.ARGV = argv
end
api.run = function(f, handler, ...)
    local n = select('#', ...)
    local args = { ... }
    return xpcall(function() return f(unpack(args, 1, n)) end, handler)
end
api.env = env
api.redis = redis
api.cjson = cjson
api.cmsgpack = cmsgpack
api.bit = bit
api.struct = struct
api.lredis = lredis
api.env = env
api.tlib = api_tlib
api.tostring = tostring
api.set_loading = function(b)
    loading = b
end
return api
