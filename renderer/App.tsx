import { useEffect, useState } from 'react';
import { ConnectionIndicator } from './components/ConnectionIndicator.js';
import { Nav } from './components/Nav.js';
import { NotificationAccessButton, Toasts } from './components/Notifications.js';
import { PANES } from './panes.js';
import { ApprovalDialog } from './views/ApprovalDialog.js';
import { useApp } from './store/context.js';

export function App() {
  const [paneId, setPaneId] = useState(PANES[0].id);
  const pane = PANES.find((p) => p.id === paneId) ?? PANES[0];
  // "Source" on a memory shows its message in the chat timeline.
  const focus = useApp((s) => s.timelineFocus);
  useEffect(() => {
    if (focus) setPaneId('chat');
  }, [focus]);
  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">Agent Blob</div>
        <Nav panes={PANES} current={pane.id} onSelect={setPaneId} />
        <div className="sidebar-footer">
          <NotificationAccessButton />
          <ConnectionIndicator />
        </div>
      </aside>
      <main className="pane" aria-label={pane.label} data-testid={`pane-${pane.id}`}>
        <pane.View />
      </main>
      <ApprovalDialog />
      <Toasts />
    </div>
  );
}
