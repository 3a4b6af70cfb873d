-- wrk script of bench/load.py: one route (or the mix of routes) of the BanqO API, each request as one of the
-- seeded teachers (picked at random), and the figures printed as one JSON line by done().
--
--   wrk ... -s bench/load/mix.lua URL -- ROUTE DATA_FILE
--
-- ROUTE: summary | search | add | progress | invoices | mix | bare (the bare peer's search: a word, no token)
-- | plain:/path (a fixed path, no token).
-- DATA_FILE: a Lua file written by bench/load.py returning {teachers = {{token, plan, plan_goal}, ...},
-- words = {...}}.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
  table.insert(threads, thread)
end

local route, data, teachers, words
local sent = 0
-- The mix: out of 20 requests, 10 searches, 3 summaries, 3 added goals, 2 progress entries, 2 invoice lists.
local MIX = {
  "search", "search", "search", "search", "search", "search", "search", "search", "search", "search",
  "summary", "summary", "summary", "add", "add", "add", "progress", "progress", "invoices", "invoices",
}

function init(args)
  route = args[1] or "search"
  if route:sub(1, 6) ~= "plain:" then
    data = dofile(args[2])
    teachers = data.teachers
    words = data.words
  end
  math.randomseed(thread_id * 7919 + os.time())
end

local function headers_of(teacher, with_body)
  local headers = {["Authorization"] = "Bearer " .. teacher.token, ["Accept-Language"] = "fr-CA"}
  if with_body then
    headers["Content-Type"] = "application/json"
  end
  return headers
end

local function build(name)
  if name == "bare" then
    return wrk.format("GET", "/search?q=" .. words[math.random(#words)])
  end
  local teacher = teachers[math.random(#teachers)]
  if name == "search" then
    local word = words[math.random(#words)]
    return wrk.format("GET", "/api/v1/collection/goals?q=" .. word, headers_of(teacher, false))
  elseif name == "summary" then
    return wrk.format("GET", "/api/v1/me/summary", headers_of(teacher, false))
  elseif name == "invoices" then
    return wrk.format("GET", "/api/v1/invoices", headers_of(teacher, false))
  elseif name == "add" then
    sent = sent + 1
    local body = string.format(
      '{"text": "Pendant la charge %d-%d-%d, {prénom} range son bureau avant la récréation 4 jours sur 5.",'
        .. ' "tags": ["charge"]}',
      thread_id, sent, math.random(1000000000))
    return wrk.format("POST", "/api/v1/collection/goals", headers_of(teacher, true), body)
  elseif name == "progress" then
    local body = string.format('{"plan_goal_id": "%s", "value": %d, "note": "relevé"}',
      teacher.plan_goal, math.random(0, 100))
    return wrk.format("POST", "/api/v1/plans/" .. teacher.plan .. "/progress", headers_of(teacher, true), body)
  end
  error("unknown route " .. name)
end

function request()
  if route:sub(1, 6) == "plain:" then
    return wrk.format("GET", route:sub(7))
  elseif route == "mix" then
    return build(MIX[math.random(#MIX)])
  end
  return build(route)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f,'
      .. ' "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
