// The dashboard's three named operations, kept in .graphql files (the
// trusted-documents manifest is read from frontend/src/**/*.graphql).
export { default as OVERVIEW } from './DashboardOverview.graphql?raw';
export { default as TREND } from './DashboardTrend.graphql?raw';
export { default as CROSS_TAB } from './DashboardCrossTab.graphql?raw';
