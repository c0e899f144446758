import './zod-jitless.ts'; // first: before any schema of @modula/contracts parses
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { Providers } from './app/providers.tsx';
import { DisplayRoot } from './i18n/display-root.tsx';
import { initI18n } from './i18n/i18n.ts';

initI18n();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers>
      <DisplayRoot>
        <App />
      </DisplayRoot>
    </Providers>
  </StrictMode>,
);
