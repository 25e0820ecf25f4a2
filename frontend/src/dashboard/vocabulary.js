// The enum values the filters offer, as the contract names them. Listed here
// because production answers no introspection to anonymous callers.
export const CONTINENTS = ['AFRICA', 'ASIA', 'EUROPE', 'NORTH_AMERICA', 'OCEANIA', 'SOUTH_AMERICA'];
export const SECTORS = [
  'HEALTHCARE', 'RESEARCH', 'PATIENT_ADVOCACY', 'LIFE_SCIENCE', 'INFORMATION_TECHNOLOGY', 'FUNDING', 'POLICY_AND_ETHICS',
];
export const KINDS = ['ACADEMIC', 'CORPORATION', 'NOT_FOR_PROFIT', 'PARTNERSHIP', 'GOVERNMENT', 'HEALTHCARE_PROVIDER'];
export const STATUSES = ['APPLICANT', 'ACTIVE', 'LAPSED', 'DECLINED', 'REMOVED', 'CANCELLED'];
export const DIMENSIONS = ['COUNTRY', 'CONTINENT', 'SECTOR', 'KIND', 'DESIGNATION', 'STATUS'];
export const INTERVALS = ['YEAR', 'QUARTER', 'MONTH'];

const SMALL_WORDS = new Set(['and', 'for', 'of']);

/** "POLICY_AND_ETHICS" -> "Policy and Ethics", as the API's own labels read. */
export function humanise(value) {
  return value
    .toLowerCase()
    .split('_')
    .map((word, index) => (index > 0 && SMALL_WORDS.has(word) ? word : word[0].toUpperCase() + word.slice(1)))
    .join(' ');
}
