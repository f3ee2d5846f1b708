// GraphiQL for GET /graphql: built from npm into its own Vite entry
// (vite.graphiql.config.ts), so it works offline and under the server's CSP
// (no CDN, no inline script) and adds nothing to the UI's own bundle. It calls
// POST /graphql with the session cookie, as the UI does.
import 'graphiql/style.css';
import './graphiql.css';
import { GraphiQL } from 'graphiql';
import { type ComponentProps, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const fetcher: Fetcher = async (params) => {
  const response = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(params),
  });
  return response.json();
};

const container = document.getElementById('graphiql');
if (!container) {
  throw new Error('graphiql.html has no #graphiql element');
}
createRoot(container).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} />
  </StrictMode>,
);
