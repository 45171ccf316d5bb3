import { useEffect, useState } from 'react';
import { ConnectionIndicator } from './components/ConnectionIndicator.js';
import { MenuIcon } from './components/icons.js';
import { Nav } from './components/Nav.js';
import { NotificationAccessButton, Toasts } from './components/Notifications.js';
import { ThreadDialog } from './components/ThreadDialog.js';
import { PANES } from './panes.js';
import { ApprovalDialog } from './views/ApprovalDialog.js';
import { useApp } from './store/context.js';

/**
 * The window: navigation beside the pane shown. Wide windows have a sidebar with labels; narrow ones
 * an icon rail whose menu button opens the sidebar over the page (Esc or a choice closes it).
 */
export function App() {
  const paneId = useApp((s) => s.pane);
  const navigate = useApp((s) => s.navigate);
  const pane = PANES.find((p) => p.id === paneId) ?? PANES[0];
  const [expanded, setExpanded] = useState(false);
  useEffect(() => {
    if (!expanded) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setExpanded(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [expanded]);
  return (
    <div className={`app${expanded ? ' nav-expanded' : ''}`} data-testid="app">
      <aside className="sidebar" data-testid="sidebar">
        <div className="sidebar-head">
          <button
            type="button"
            className="menu-button"
            aria-label={expanded ? 'Close the menu' : 'Open the menu'}
            aria-expanded={expanded}
            aria-controls="sections-nav"
            data-testid="menu-button"
            onClick={() => setExpanded(!expanded)}
          >
            <MenuIcon />
          </button>
          <span className="brand">Agent Blob</span>
        </div>
        <Nav
          panes={PANES}
          current={pane.id}
          onSelect={(id) => {
            navigate(id);
            setExpanded(false);
          }}
        />
        <div className="sidebar-footer">
          <NotificationAccessButton />
          <ConnectionIndicator />
        </div>
      </aside>
      {expanded ? <button type="button" className="nav-backdrop" aria-label="Close the menu" tabIndex={-1} onClick={() => setExpanded(false)} /> : null}
      <main className="pane" aria-label={pane.label} data-testid={`pane-${pane.id}`}>
        <pane.View />
      </main>
      <ThreadDialog />
      <ApprovalDialog />
      <Toasts />
    </div>
  );
}
