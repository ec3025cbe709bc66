// Drives stream-mcp over streamable HTTP with the official TypeScript SDK
// (StreamableHTTPClientTransport), strict about what it receives: the SDK
// validates structuredContent against each tool's output schema.
// Usage: node mcp_http_smoke.mjs URL TOKEN
// Prints one JSON line with what the client saw; exits 1 on any error.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, token] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "ts-http-smoke", version: "0" });
try {
  await client.connect(transport);
  const tools = await client.listTools();
  const sized = await client.callTool({
    name: "sizing",
    arguments: { service: "kinesis", ingress_mb_per_second: 12, records_per_second: 9000, avg_record_bytes: 1400 },
  });
  const bad = await client.callTool({ name: "sizing", arguments: { service: "kinesis", ingress_mb_per_second: -5 } });
  console.log(JSON.stringify({
    tools: tools.tools.map((t) => t.name).sort(),
    sizing_error: !!sized.isError,
    sizing_keys: Object.keys(sized.structuredContent ?? {}).sort(),
    bad_error: !!bad.isError,
    bad_text: bad.content.map((c) => c.text ?? "").join(" "),
  }));
  await client.close();
} catch (e) {
  console.error(String(e?.stack ?? e));
  process.exit(1);
}
