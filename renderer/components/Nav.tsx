import type { Pane } from '../panes.js';

export function Nav({ panes, current, onSelect }: { panes: readonly Pane[]; current: string; onSelect(id: string): void }) {
  return (
    <nav className="nav" aria-label="Sections">
      <ul>
        {panes.map((pane) => (
          <li key={pane.id}>
            <button
              type="button"
              className="nav-item"
              aria-current={pane.id === current ? 'page' : undefined}
              data-testid={`nav-${pane.id}`}
              onClick={() => onSelect(pane.id)}
            >
              {pane.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
