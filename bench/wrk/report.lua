-- The summary bench/run reads: one JSON line, latencies in microseconds.
-- Every script of this folder ends with dofile("bench/wrk/report.lua")
-- (wrk runs from the checkout).

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH-JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"errors_by":{"connect":%d,"read":%d,"write":%d,"status":%d,' ..
      '"timeout":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout))
end
