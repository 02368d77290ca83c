-- wrk script for bench_webhook_ingest: POST pre-signed WhatsApp webhook bodies, each one distinct (so nothing is
-- absorbed as a duplicate), and report the result as one JSON line. Bodies come from the file named by
-- WEBHOOK_BENCH_BODIES, one "<X-Hub-Signature-256>\t<body>" per line; thread i of n takes lines i, i+n, i+2n, ...
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local nthreads = tonumber(os.getenv("WEBHOOK_BENCH_THREADS") or "1")
  requests_list = {}
  local n = 0
  local i = 0
  for line in io.lines(os.getenv("WEBHOOK_BENCH_BODIES")) do
    if i % nthreads == id - 1 then
      local tab = string.find(line, "\t", 1, true)
      local headers = {
        ["Content-Type"] = "application/json",
        ["X-Hub-Signature-256"] = string.sub(line, 1, tab - 1),
        ["X-Forwarded-Proto"] = "https",
      }
      n = n + 1
      requests_list[n] = wrk.format("POST", nil, headers, string.sub(line, tab + 1))
    end
    i = i + 1
  end
  total = n
  position = 0
end

function request()
  position = position + 1
  if position > total then
    position = 1
  end
  return requests_list[position]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"non_2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
