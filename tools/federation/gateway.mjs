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

const { ApolloGateway, RemoteGraphQLDataSource } = await import("@apollo/gateway");
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

// The caller's credentials go on to every subgraph, as docker/router.yaml does
// for the directory: it decides who may see contact details.
const CREDENTIALS = ["authorization", "x-api-key"];

class PassCredentials extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of CREDENTIALS) {
      const value = context.headers?.[name];
      if (value) request.http.headers.set(name, value);
    }
  }
}

const server = new ApolloServer({
  gateway: new ApolloGateway({
    supergraphSdl: readFileSync(supergraphFile, "utf8"),
    buildService: ({ url }) => new PassCredentials({ url }),
  }),
  includeStacktraceInErrorResponses: false, // Apollo Server's default outside NODE_ENV=production
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
  ],
});
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(port) },
  context: async ({ req }) => ({ headers: req.headers }),
});
console.log(`gateway ready at ${url}`);
