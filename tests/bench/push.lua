-- wrk script for POST /api/push: one small event per request, its data numbered per thread.
-- The admin token comes in the environment (BENCH_TOKEN); see publish-rate.sh.
local counter = 0
local token = os.getenv("BENCH_TOKEN")

request = function()
    counter = counter + 1
    local body = '{"event":"bench","data":"push ' .. counter .. '"}'
    return wrk.format("POST", "/api/push", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. token,
    }, body)
end

done = function(summary, latency, requests)
    io.write(string.format("non-2xx-or-3xx %d\n", summary.errors.status))
end
