import type { Pane } from '../panes.js';

/** The sections of the app; on a narrow window only the icons show, and each button keeps its name. */
export function Nav({ panes, current, onSelect }: { panes: readonly Pane[]; current: string; onSelect(id: string): void }) {
  return (
    <nav className="nav" aria-label="Sections" id="sections-nav">
      <ul>
        {panes.map((pane) => (
          <li key={pane.id} className="nav-entry">
            <button
              type="button"
              className="nav-item"
              aria-current={pane.id === current ? 'page' : undefined}
              aria-label={pane.label}
              title={pane.label}
              data-testid={`nav-${pane.id}`}
              onClick={() => onSelect(pane.id)}
            >
              <pane.Icon />
              <span className="nav-label">{pane.label}</span>
            </button>
            {pane.Badge ? <pane.Badge /> : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}
