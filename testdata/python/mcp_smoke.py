"""Drive the built stream-mcp binary with the official Python MCP SDK.

Usage: python3 mcp_smoke.py /path/to/stream-mcp
Prints one JSON object with what the SDK saw; the Go test
(internal/testenv/backends) asserts on it. Exits non-zero on any SDK error.
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main(binary: str) -> dict:
    params = StdioServerParameters(command=binary, args=["serve"], env={"AWS_REGION": "us-east-1"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            sized = await session.call_tool(
                "sizing",
                {"service": "kinesis", "ingress_mb_per_second": 12, "records_per_second": 9000, "avg_record_bytes": 1400},
            )
            bad = await session.call_tool("sizing", {"service": "kinesis", "ingress_mb_per_second": -5})
            resources = await session.list_resources()
            first = resources.resources[0] if resources.resources else None
            body = await session.read_resource(first.uri) if first else None
            prompts = await session.list_prompts()
            return {
                "server": init.server_info.name,
                "protocol": init.protocol_version,
                "tools": sorted(t.name for t in tools.tools),
                "output_schemas": sum(1 for t in tools.tools if t.output_schema),
                "sizing_is_error": sized.is_error,
                "sizing_structured_keys": sorted((sized.structured_content or {}).keys()),
                "sizing_text_bytes": sum(len(c.text) for c in sized.content if c.type == "text"),
                "bad_is_error": bad.is_error,
                "bad_text": " ".join(c.text for c in bad.content if c.type == "text"),
                "resources": len(resources.resources),
                "first_resource_bytes": sum(len(getattr(c, "text", "") or "") for c in body.contents) if body else 0,
                "prompts": len(prompts.prompts),
            }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
