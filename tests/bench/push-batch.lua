-- wrk script for batch publishes: POST /api/push with an array of BENCH_BATCH small events
-- (default 100), their data numbered per thread. The admin token comes in BENCH_TOKEN; see
-- publish-rate.sh, which multiplies the request rate by the batch size.
local counter = 0
local token = os.getenv("BENCH_TOKEN")
local batch = tonumber(os.getenv("BENCH_BATCH") or "100")

request = function()
    local events = {}
    for i = 1, batch do
        counter = counter + 1
        events[i] = '{"event":"bench","data":"push ' .. counter .. '"}'
    end
    return wrk.format("POST", "/api/push", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. token,
    }, "[" .. table.concat(events, ",") .. "]")
end

done = function(summary, latency, requests)
    io.write(string.format("non-2xx-or-3xx %d\n", summary.errors.status))
end
