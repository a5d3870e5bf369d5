import '../styles.css';
import './console.css';
import { createRoot } from 'react-dom/client';
import { applyTheme } from '../lib/preferences.ts';
import { ConsoleApp } from './ConsoleApp.tsx';
import './pages/index.tsx';
import { ConsoleSessionProvider } from './session.tsx';

// The operator console: a second entry of the web build (web/admin.html, served at /admin), so nothing
// of it reaches the customer app's bundle. No service worker: staff pages are never cached offline.
applyTheme();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <ConsoleSessionProvider>
      <ConsoleApp />
    </ConsoleSessionProvider>,
  );
}
