#!/usr/bin/env python3
"""A real MCP client (the official Python SDK, `mcp` from PyPI) against `mem mcp`.

usage: mcp_client.py CALLS_JSON -- COMMAND [ARGS...]

CALLS_JSON is a list of [tool, arguments]. Prints one JSON object: the
server's name, the tools with their annotations, and per call either
{"is_error", "text"} or {"protocol_error": code}.
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import Implementation

try:  # mcp 2.x
    from mcp import MCPError as ProtocolError
except ImportError:  # mcp 1.x
    from mcp.shared.exceptions import McpError as ProtocolError


async def main(calls, command):
    params = StdioServerParameters(command=command[0], args=command[1:])
    out = {"calls": []}
    async with stdio_client(params) as (read, write):
        async with ClientSession(
            read, write, client_info=Implementation(name="python-sdk-test", version="1.0")
        ) as session:
            init = await session.initialize()
            out["server"] = (getattr(init, "server_info", None) or init.serverInfo).name
            tools = await session.list_tools()
            out["tools"] = {
                t.name: {
                    "description": t.description,
                    "required": (getattr(t, "input_schema", None) or t.inputSchema).get("required", []),
                    "read_only": getattr(t.annotations, "read_only_hint", None) if t.annotations else None,
                    "destructive": getattr(t.annotations, "destructive_hint", None) if t.annotations else None,
                    "idempotent": getattr(t.annotations, "idempotent_hint", None) if t.annotations else None,
                }
                for t in tools.tools
            }
            for name, args in calls:
                try:
                    r = await session.call_tool(name, args)
                    text = "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text")
                    out["calls"].append({"tool": name, "is_error": bool(getattr(r, "is_error", None)), "text": text})
                except ProtocolError as e:
                    code = getattr(e, "code", None) or getattr(getattr(e, "error", None), "code", None)
                    out["calls"].append({"tool": name, "protocol_error": code})
    print(json.dumps(out))


if __name__ == "__main__":
    argv = sys.argv[1:]
    sep = argv.index("--")
    asyncio.run(main(json.loads(argv[0]), argv[sep + 1:]))
