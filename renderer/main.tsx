import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connect } from './bridge.js';
import { createAppStore, startAppStore } from './store/index.js';
import { AppProvider } from './store/context.js';
import './styles.css';

const { client, transport } = connect();
const store = createAppStore(client);
let stop: (() => void) | null = null;

function start(): void {
  stop?.();
  stop = null;
  startAppStore(store, client).then(
    (s) => {
      stop = s;
    },
    () => {
      // the timeline shows the error with a way to try again
    },
  );
}

document.documentElement.dataset.transport = transport;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider value={{ store, client, retryStart: start }}>
      <App />
    </AppProvider>
  </StrictMode>,
);
start();
