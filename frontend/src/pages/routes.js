// Which page a path shows. Each row: a pattern over location.pathname and the
// page component, given { params } (the pattern's capture groups, decoded).
// pages-manage adds its rows (/manage/..., /staff) here.
import { HomePage } from './HomePage.jsx';
import { MePage } from './me/MePage.jsx';
import { ApplyPage } from './apply/ApplyPage.jsx';
import { OrganisationPage } from './manage/organisation/OrganisationPage.jsx';
import { GroupPage } from './manage/group/GroupPage.jsx';
import { StaffPage } from './staff/StaffPage.jsx';

export const routes = [
  { pattern: /^\/$/, page: HomePage },
  { pattern: /^\/me$/, page: MePage },
  { pattern: /^\/apply$/, page: ApplyPage },
  { pattern: /^\/manage\/organisations\/([^/]+)$/, page: OrganisationPage },
  { pattern: /^\/manage\/groups\/([^/]+)$/, page: GroupPage },
  { pattern: /^\/staff(?:\/.*)?$/, page: StaffPage },
];

/** The route for `pathname` and its decoded parameters, or null. */
export function routeFor(pathname) {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match) return { page: route.page, params: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}
