-- Prints one machine-readable line at the end of a wrk run (latency in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d bytes=%d status_errors=%d socket_errors=%d p50=%d p95=%d p99=%d max=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
