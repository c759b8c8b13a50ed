# A tiny ACP v1 agent for footprint benchmarks (mawk -W interactive -f tiny-agent.awk): about 1 MB per process, so
# a thousand of them fit on a small machine. Like fast-agent.py it answers every prompt at once with one chunk
# ("ok") and end_turn. It relies on the client's field order ("id" before "params"), which is fine for a benchmark.
{
    if (!match($0, /"method":"[^"]*"/)) next
    method = substr($0, RSTART + 10, RLENGTH - 11)
    if (!match($0, /"id":[0-9]+/)) next
    id = substr($0, RSTART + 5, RLENGTH - 5)
    if (method == "initialize") {
        printf "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"protocolVersion\":1,\"agentCapabilities\":{\"loadSession\":true}}}\n", id
    } else if (method == "session/new") {
        sessions++
        printf "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"sessionId\":\"tiny-%d\"}}\n", id, sessions
    } else if (method == "session/load") {
        printf "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{}}\n", id
    } else if (method == "session/prompt") {
        match($0, /"sessionId":"[^"]*"/)
        sid = substr($0, RSTART + 13, RLENGTH - 14)
        printf "{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{\"sessionId\":\"%s\",\"update\":{\"sessionUpdate\":\"agent_message_chunk\",\"content\":{\"type\":\"text\",\"text\":\"ok\"}}}}\n", sid
        printf "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"stopReason\":\"end_turn\"}}\n", id
    } else {
        printf "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}\n", id
    }
    fflush()
}
