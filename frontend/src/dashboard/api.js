// The page talks to the API only: /graphql for numbers, /export for files,
// each request with the viewer's credential (or none: anonymous).

export class ApiError extends Error {}

function authorisation(credential) {
  return credential ? { Authorization: `Bearer ${credential}` } : {};
}

/** Runs one GraphQL operation; its data, or an ApiError with the API's message. */
export async function graphql(query, variables, credential, signal) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authorisation(credential) },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(`The directory could not be reached (${error.message}).`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The directory answered ${response.status} without a GraphQL result.`);
  }
  if (body.errors?.length) throw new ApiError(body.errors.map((error) => error.message).join(' '));
  if (!response.ok || !body.data) throw new ApiError(`The directory answered ${response.status}.`);
  return body.data;
}

/** Fetches an export with the credential and hands it to the browser as a download. */
export async function download(path, parameters, credential, filename) {
  const url = `${path}?${parameters}`;
  const response = await fetch(url, { headers: authorisation(credential) });
  if (!response.ok) {
    let message = `The export answered ${response.status}.`;
    try {
      const body = await response.json();
      if (body.errors?.length) message = body.errors.map((error) => error.message).join(' ');
    } catch {
      // not JSON: keep the status
    }
    throw new ApiError(message);
  }
  const blob = await response.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
