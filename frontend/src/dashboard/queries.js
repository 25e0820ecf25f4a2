// Three requests, one per kind of panel, so a field the server lacks (or
// refuses) costs only its own panel.

const BUCKET = 'key label count';

export const OVERVIEW = `
query DashboardOverview($filter: OrganisationFilter) {
  organisations(filter: $filter, first: 1) { totalCount }
  byContinent: membershipStats(by: CONTINENT, filter: $filter) { ${BUCKET} }
  byCountry: membershipStats(by: COUNTRY, filter: $filter) { ${BUCKET} }
  bySector: membershipStats(by: SECTOR, filter: $filter) { ${BUCKET} }
  byKind: membershipStats(by: KIND, filter: $filter) { ${BUCKET} }
}`;

export const TREND = `
query DashboardTrend($interval: TrendInterval!, $filter: OrganisationFilter) {
  membershipTrend(interval: $interval, filter: $filter) {
    period start end joined reinstated left leftBy { ${BUCKET} } activeAtEnd
  }
}`;

export const CROSS_TAB = `
query DashboardCrossTab($by: StatDimension!, $thenBy: StatDimension, $filter: OrganisationFilter) {
  membershipStats(by: $by, thenBy: $thenBy, filter: $filter) { ${BUCKET} breakdown { ${BUCKET} } }
}`;
