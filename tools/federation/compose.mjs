// Compose subgraphs into a supergraph with Apollo's own composition library.
// Used by `memberdir supergraph` (memberdir/supergraph.py), which does the CLI.
//
// stdin:  {"subgraphs": [{"name": "...", "url": "...", "sdl": "..."}]}
// stdout: {"supergraphSdl": "...", "hints": [...]}  or  {"errors": [...]}
// Each error and hint is {"code": "...", "message": "..."}.
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { readFileSync } from "node:fs";

const { subgraphs } = JSON.parse(readFileSync(0, "utf8"));

function services() {
  return subgraphs.map(({ name, url, sdl }) => {
    try {
      return { name, url, typeDefs: parse(sdl) };
    } catch (error) {
      throw { code: "INVALID_GRAPHQL", message: `[${name}] ${error.message}` };
    }
  });
}

let answer;
try {
  const result = composeServices(services());
  answer = result.errors
    ? { errors: result.errors.map((e) => ({ code: e.extensions?.code ?? "COMPOSITION_ERROR", message: e.message })) }
    : {
        supergraphSdl: result.supergraphSdl,
        hints: result.hints.map((h) => ({ code: h.definition.code, message: h.message })),
      };
} catch (error) {
  if (!error.code) throw error; // a bug here, not in the subgraphs: let Node print it
  answer = { errors: [error] };
}
process.stdout.write(JSON.stringify(answer));
