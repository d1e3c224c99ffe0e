import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';
import { client } from './lib/client';
import { prefetchFirstPage } from './lib/firstPage';
import { preloadRoute } from './routes';
import './styles.css';

// The first page's queries and chunk, all at once, before React renders (the queries first: over HTTP/1.1 the
// browser has six connections, and the page's chunks would take them).
prefetchFirstPage(client);
preloadRoute(window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
