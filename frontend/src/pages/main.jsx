import './shared/pages.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Header } from './shared/Header.jsx';
import { routeFor } from './routes.js';

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is no page at this address. <a href="/">Back to the start</a>.</p>
    </>
  );
}

function Pages() {
  const route = routeFor(window.location.pathname);
  const Page = route?.page ?? NotFound;
  return (
    <>
      <a className="skip-link" href="#content">Skip to content</a>
      <Header />
      <main id="content" tabIndex={-1}>
        <Page params={route?.params ?? []} />
      </main>
    </>
  );
}

createRoot(document.getElementById('pages')).render(
  <StrictMode>
    <Pages />
  </StrictMode>,
);
