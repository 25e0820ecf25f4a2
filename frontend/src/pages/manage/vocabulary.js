// Words for the API's enum values, as people read them.
import { humanise } from '../shared/words.js';

export const SECTORS = {
  HEALTHCARE: 'Healthcare',
  RESEARCH: 'Research',
  PATIENT_ADVOCACY: 'Patient advocacy',
  LIFE_SCIENCE: 'Life science',
  INFORMATION_TECHNOLOGY: 'Information technology',
  FUNDING: 'Funding',
  POLICY_AND_ETHICS: 'Policy and ethics',
};

export const CONTACT_ROLES = {
  PRIMARY: 'Primary',
  ADMINISTRATOR: 'Administrator',
  SIGNER: 'Signer',
  COMMUNICATIONS: 'Communications',
};

export const ROSTER_ROLES = {
  CHAIR: 'Chair',
  CO_CHAIR: 'Co-chair',
  MEMBER: 'Member',
  CONTRIBUTOR: 'Contributor',
  OBSERVER: 'Observer',
  STAFF: 'Staff',
};

// Roles a chair may invite to (CHAIR, CO_CHAIR and STAFF are staff's to add).
export const INVITABLE_ROLES = ['MEMBER', 'CONTRIBUTOR', 'OBSERVER'];

// Groups whose updates an organisation assigns communications contacts for.
export const COMMUNICATION_KINDS = ['WORKING_GROUP', 'WORK_STREAM'];

export function options(table, keys = Object.keys(table)) {
  return keys.map((value) => ({ value, label: table[value] ?? humanise(value) }));
}

/** Today in UTC as YYYY-MM-DD: the API's dates are UTC days. */
export function todayUtc(offsetDays = 0) {
  const day = new Date(Date.now() + offsetDays * 86_400_000);
  return day.toISOString().slice(0, 10);
}
