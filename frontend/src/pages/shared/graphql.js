// Every page talks to the API only, as the signed-in person: the session
// cookie goes with each same-origin request, so the API's permissions and
// privacy are the pages'. Documents are named operations from .graphql files.

async function post(document, variables) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query: document, variables: variables ?? {} }),
    });
  } catch (error) {
    throw new Error(`The directory could not be reached (${error.message}).`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: the status says what went wrong
  }
  if (!response.ok) {
    const said = body?.errors?.map((error) => error.message).join(' ');
    throw new Error(said ? `The directory refused: ${said}` : `The directory answered ${response.status}.`);
  }
  if (!body) throw new Error(`The directory answered ${response.status} without a GraphQL result.`);
  return body;
}

/** Runs a query; { data, errors } as the API answered (errors may be undefined). */
export async function request(document, variables) {
  const { data = null, errors } = await post(document, variables);
  return { data, errors };
}

/**
 * Runs a mutation with one top-level field; { payload, userErrors }.
 * Top-level GraphQL errors (malformed request, refused credentials) throw.
 */
export async function mutate(document, variables) {
  const { data, errors } = await request(document, variables);
  if (errors?.length) throw new Error(errors.map((error) => error.message).join(' '));
  const payload = data ? Object.values(data)[0] : null;
  return { payload, userErrors: payload?.userErrors ?? [] };
}

/** The message of top-level errors, or null. */
export function errorText(errors) {
  return errors?.length ? errors.map((error) => error.message).join(' ') : null;
}
