// Apollo Gateway's subgraph client with automatic persisted queries on
// (`new RemoteGraphQLDataSource({ url, apq: true })`, what Gateway and Router
// send to a subgraph), for the trusted-documents test.
//
//   node tools/federation/apq-client.mjs URL QUERY [TIMES]
//
// Sends QUERY TIMES times; prints one JSON line per time: the answer's data and
// errors, and which requests went out (whether each carried the query text).
const { RemoteGraphQLDataSource } = await import("@apollo/gateway");

const [url, query, times = "2"] = process.argv.slice(2);
const sent = [];

class Recorded extends RemoteGraphQLDataSource {
  async sendRequest(request, context) {
    sent.push({ query: typeof request.query === "string", hash: request.extensions?.persistedQuery?.sha256Hash ?? null });
    return super.sendRequest(request, context);
  }
}

const source = new Recorded({ url, apq: true });
for (let i = 0; i < Number(times); i++) {
  sent.length = 0;
  // "health check": a request of the gateway's own, which needs no incoming operation around it.
  const response = await source.process({ kind: "health check", request: { query }, context: {} });
  console.log(JSON.stringify({ data: response.data ?? null, errors: response.errors ?? null, sent: [...sent] }));
}
