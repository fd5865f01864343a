-- A mixed workload for wrk: each connection cycles through a list of GET requests.
-- Arguments (after --): a file with one request per line, "<path>\t<header>\t<value>" (the header
-- part may be empty), and the most responses each thread waits for before it stops.
-- done() prints one line "BENCH_JSON {...}" that bench/benchmarks/http_load.py reads.

local requests = {}
local index = 0
local limit = 0
local received = 0
non_ok = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local path, name, value = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if name ~= "" then headers[name] = value end
    table.insert(requests, wrk.format("GET", path, headers))
  end
  limit = tonumber(args[2]) or 0
  index = math.random(#requests) - 1
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  received = received + 1
  if status ~= 200 then non_ok = non_ok + 1 end
  if limit > 0 and received >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("non_ok") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, "non_200": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.timeout, e.status, bad))
end
