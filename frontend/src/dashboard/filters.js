// One filter state, two spellings: the GraphQL OrganisationFilter, and the
// query parameters of /export (lists comma-separated, as the contract says).

export const NO_FILTER = {
  search: '', continents: [], sectors: [], kinds: [], statuses: [], joinedAfter: '', joinedBefore: '',
};

const LIST_FIELDS = ['continents', 'sectors', 'kinds', 'statuses'];
const TEXT_FIELDS = ['search', 'joinedAfter', 'joinedBefore'];

/** The OrganisationFilter for GraphQL, without the fields left empty; null when none is set. */
export function toOrganisationFilter(filter) {
  const result = {};
  for (const field of LIST_FIELDS) if (filter[field].length) result[field] = filter[field];
  for (const field of TEXT_FIELDS) if (filter[field].trim()) result[field] = filter[field].trim();
  return Object.keys(result).length ? result : null;
}

/** The same filter as /export query parameters. */
export function toExportParameters(filter) {
  const parameters = new URLSearchParams();
  const graphqlFilter = toOrganisationFilter(filter) ?? {};
  for (const [field, value] of Object.entries(graphqlFilter)) {
    parameters.set(field, Array.isArray(value) ? value.join(',') : value);
  }
  return parameters;
}
