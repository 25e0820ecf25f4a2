// Runs the GraphQL over HTTP audit suite (graphql-http's serverAudits) against
// a server and prints one JSON line per audit: {id, name, status, reason}.
// Usage: node audit-http.mjs http://127.0.0.1:8000/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit-http.mjs <graphql url>');
  process.exit(2);
}

for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.responseStatus = result.response.status;
    line.responseBody = (await result.response.text()).slice(0, 300);
  }
  console.log(JSON.stringify(line));
}
