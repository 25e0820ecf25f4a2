// The documents an individual member accepts on applying, and their versions.
// The API records acceptance as the application's reason (kept in the
// membership history, seen by the person and staff); the version accepted
// is named there. Change the version here when the alliance publishes a new text.
export const AGREEMENTS = [
  { name: 'constitution', title: 'the Constitution', version: '2024-03' },
  { name: 'memberAgreement', title: 'the Member Agreement', version: '2024-03' },
];

/** The reason recorded with the application: what was accepted, in which version. */
export function acceptanceReason() {
  return `Accepted ${AGREEMENTS.map((a) => `${a.title} (version ${a.version})`).join(' and ')} when applying.`;
}
