// Three requests, one per kind of panel, so a field the server lacks (or
// refuses) costs only its own panel. Each is a named operation in a .graphql
// file, imported as text: `memberdir documents` collects every .graphql file
// under frontend/src/ into the trusted documents (README, "Trusted documents").
export { default as OVERVIEW } from './operations/DashboardOverview.graphql?raw';
export { default as TREND } from './operations/DashboardTrend.graphql?raw';
export { default as CROSS_TAB } from './operations/DashboardCrossTab.graphql?raw';
