// GraphiQL from npm, bundled: the page works on a machine without internet.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
// The default query is a trusted document too (memberdir documents reads every .graphql file).
import EXAMPLE from './Overview.graphql?raw';

const fetcher = createGraphiQLFetcher({ url: '/graphql' });

// API keys typed into the headers pane stay in this tab's memory only:
// shouldPersistHeaders={false} keeps them out of GraphiQL's storage.
createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={EXAMPLE} shouldPersistHeaders={false} />
  </StrictMode>,
);
