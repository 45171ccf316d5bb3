import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connect } from './bridge.js';
import { announceNotifications, createAppStore, startAppStore } from './store/index.js';
import { AppProvider } from './store/context.js';
import './styles.css';

const { client, transport, openExternal } = connect();
const store = createAppStore(client);
// The desktop app shows notifications natively; a browser page shows them itself.
if (transport === 'websocket') announceNotifications(store, client);
let stop: (() => void) | null = null;
let starting = false;

function start(): void {
  if (starting) return;
  starting = true;
  stop?.();
  stop = null;
  startAppStore(store, client).then(
    (s) => {
      starting = false;
      stop = s;
    },
    () => {
      // The timeline shows the error with a way to try again.
      starting = false;
    },
  );
}

// A start that failed because the connection dropped under it is retried once the connection is back.
client.onState((state) => {
  if (state === 'open' && !stop && store.getState().timelineStatus === 'error') start();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider value={{ store, client, retryStart: start, openExternal }}>
      <App />
    </AppProvider>
  </StrictMode>,
);
start();
