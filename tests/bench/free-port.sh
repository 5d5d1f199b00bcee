# Sourced by the benchmark scripts: free_port prints a loopback port nothing listens on, below
# the ephemeral range the load client's streams use (a listener there could meet a previous
# run's connection still in TIME_WAIT with the same address pair).
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((15000 + RANDOM % 15000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    echo "no free port" >&2
    return 1
}
