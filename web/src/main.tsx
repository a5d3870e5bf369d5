import './styles.css';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { Announcer } from './components/Announcer.tsx';
import { applyTheme } from './lib/preferences.ts';
import { SessionProvider } from './state/session.tsx';

applyTheme();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <SessionProvider>
      <App />
      <Announcer />
    </SessionProvider>,
  );
}

// The service worker makes the app installable and opens its shell offline; it never caches /api.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // Not fatal: the app works without it (it is only missing offline start and installation).
    });
  });
}
