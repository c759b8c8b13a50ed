#!/usr/bin/env python3
"""A minimal, fast ACP v1 agent for benchmarks (stdlib only, started with python3).

Every session/prompt is answered at once with one agent_message_chunk ("ok") and end_turn. It supports
initialize, session/new, session/load, session/resume and session/close, and ignores notifications. It is
far lighter than the JVM fake agent (a few MB and ~30 ms to start), so a benchmark measures the client and the
broker, not the agent.
"""
import json
import sys

out = sys.stdout
sessions = set()
counter = 0


def send(message):
    out.write(json.dumps(message, separators=(",", ":")))
    out.write("\n")
    out.flush()


def result(rid, value):
    send({"jsonrpc": "2.0", "id": rid, "result": value})


for line in sys.stdin:
    if not line.strip():
        continue
    msg = json.loads(line)
    method = msg.get("method")
    rid = msg.get("id")
    if method is None or rid is None:
        continue
    params = msg.get("params") or {}
    if method == "initialize":
        result(rid, {"protocolVersion": 1,
                     "agentCapabilities": {"loadSession": True,
                                           "sessionCapabilities": {"resume": {}, "close": {}}},
                     "agentInfo": {"name": "fast-agent", "version": "1"}})
    elif method == "session/new":
        counter += 1
        sid = "fast-%d" % counter
        sessions.add(sid)
        result(rid, {"sessionId": sid})
    elif method in ("session/load", "session/resume", "session/close"):
        sessions.add(params.get("sessionId"))
        result(rid, {})
    elif method == "session/prompt":
        sid = params.get("sessionId")
        send({"jsonrpc": "2.0", "method": "session/update",
              "params": {"sessionId": sid,
                         "update": {"sessionUpdate": "agent_message_chunk",
                                    "content": {"type": "text", "text": "ok"}}}})
        result(rid, {"stopReason": "end_turn"})
    else:
        send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}})
