// Apollo Gateway serving a supergraph file on loopback: the end-to-end tests'
// gateway, and a local stand-in for Apollo Router (README: "Run a gateway").
//
//   node tools/federation/gateway.mjs SUPERGRAPH_FILE [PORT]
//
// PORT 0 (the tests) picks a free port. The first line on stdout is
// "gateway ready at <url>". Nothing is reported to Apollo: no usage or schema
// reporting, no telemetry, no landing page (it would load Apollo's CDN).
import { readFileSync } from "node:fs";

process.env.APOLLO_TELEMETRY_DISABLED = "true"; // read when ApolloGateway is built
delete process.env.APOLLO_KEY;

const { ApolloGateway } = await import("@apollo/gateway");
const { ApolloServer } = await import("@apollo/server");
const { startStandaloneServer } = await import("@apollo/server/standalone");
const {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} = await import("@apollo/server/plugin/disabled");

const [supergraphFile, port = "4000"] = process.argv.slice(2);
if (!supergraphFile) {
  console.error("usage: node gateway.mjs SUPERGRAPH_FILE [PORT]");
  process.exit(2);
}

const server = new ApolloServer({
  gateway: new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, "utf8") }),
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
  ],
});
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: Number(port) } });
console.log(`gateway ready at ${url}`);
