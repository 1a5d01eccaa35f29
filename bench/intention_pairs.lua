-- wrk script for bench/intention_bench.sh: POST /v1/intention/open then /v1/intention/close
-- pairs. Environment (read by wrk's Lua through os.getenv): BROKER_JWT (an account token),
-- INTENTION_BODY (the JSON body of the open).
--
-- wrk keeps one Lua state per thread, shared by that thread's connections, so the intention
-- tokens of answered opens go into a per-thread queue and the next request of any connection
-- of the thread closes one; with none waiting, it opens. A pair is counted when its close
-- answers 201 "Intention closed". done() prints "pairs=<n> opens=<n> errors=<n>" and the
-- request latency percentiles (open and close requests together) in milliseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local jwt = os.getenv("BROKER_JWT")
local body = os.getenv("INTENTION_BODY")
local queue = {}
local head, tail = 1, 0
pairs_done, opens, errors = 0, 0, 0

local function open_request()
  return wrk.format("POST", "/v1/intention/open", {
    ["Authorization"] = "Bearer " .. jwt,
    ["Content-Type"] = "application/json",
  }, body)
end

local function close_request(token)
  return wrk.format("POST", "/v1/intention/close", { ["X-Broker-Token"] = token }, "")
end

function request()
  if head <= tail then
    local token = queue[head]
    queue[head] = nil
    head = head + 1
    return close_request(token)
  end
  return open_request()
end

function response(status, headers, response_body)
  if status ~= 201 then
    errors = errors + 1
    return
  end
  local token = response_body:match('"id":"%x+","token":"([%w_%-]+)"')
  if token then
    opens = opens + 1
    tail = tail + 1
    queue[tail] = token
  elseif response_body:find("Intention closed", 1, true) then
    pairs_done = pairs_done + 1
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local total_pairs, total_opens, total_errors = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_pairs = total_pairs + thread:get("pairs_done")
    total_opens = total_opens + thread:get("opens")
    total_errors = total_errors + thread:get("errors")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("pairs=%d opens=%d errors=%d seconds=%.2f pairs_per_s=%.0f " ..
                         "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
                         total_pairs, total_opens, total_errors, seconds, total_pairs / seconds,
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                         latency.max / 1000))
end
