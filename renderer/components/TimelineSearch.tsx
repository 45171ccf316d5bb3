import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TimelineSearchHit } from '../../core/contract/index.js';
import { describeError } from '../store/errors.js';
import { useApp, useClient } from '../store/context.js';
import { shortWhen } from './dates.js';
import { Marked } from './Marked.js';

const WHO: Record<string, string> = { user: 'You', assistant: 'Agent Blob' };

/**
 * Search across the whole timeline (the core's full-text index, not only what is loaded). Choosing
 * a result scrolls to it, loading older pages as needed. Opened with Ctrl/Cmd+F; Esc closes it.
 */
export function TimelineSearch() {
  const client = useClient();
  const setOpen = useApp((s) => s.setSearchOpen);
  const focusItem = useApp((s) => s.focusTimelineMessage);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<TimelineSearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);

  useEffect(() => {
    const text = query.trim();
    if (!text) {
      setHits(null);
      setError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      client.call('timeline.search', { query: text, limit: 50 }).then(
        (r) => {
          if (!current) return;
          setHits(r.hits);
          setActive(0);
          setError(null);
        },
        (err) => current && setError(`Search failed: ${describeError(err)}`),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, query]);

  const close = () => {
    setOpen(false);
    document.getElementById('composer-input')?.focus();
  };
  const choose = (hit: TimelineSearchHit) => focusItem(hit.id);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'ArrowDown' && hits?.length) {
      event.preventDefault();
      setActive((a) => Math.min(hits.length - 1, a + 1));
    } else if (event.key === 'ArrowUp' && hits?.length) {
      event.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (event.key === 'Enter' && hits?.[active]) {
      event.preventDefault();
      choose(hits[active]);
    }
  };

  return (
    <div className="timeline-search" data-testid="timeline-search" role="search">
      <div className="timeline-search-bar">
        <label htmlFor="timeline-search-input" className="visually-hidden">
          Search the whole conversation
        </label>
        <input
          id="timeline-search-input"
          ref={input}
          type="search"
          value={query}
          placeholder="Search the whole conversation"
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="timeline-search-input"
          role="combobox"
          aria-expanded={Boolean(hits?.length)}
          aria-controls="timeline-search-results"
          aria-activedescendant={hits?.length ? `search-hit-${active}` : undefined}
          autoComplete="off"
        />
        <button type="button" onClick={close} data-testid="timeline-search-close">
          Close
        </button>
      </div>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      {hits ? (
        <p className="timeline-search-count muted" role="status" data-testid="timeline-search-count">
          {hits.length === 0 ? 'Nothing matches.' : `${hits.length}${hits.length === 50 ? '+' : ''} ${hits.length === 1 ? 'match' : 'matches'}, newest first`}
        </p>
      ) : null}
      {hits?.length ? (
        <ul className="timeline-search-results" id="timeline-search-results" role="listbox" aria-label="Matches" data-testid="timeline-search-results">
          {hits.map((hit, i) => (
            <li
              key={hit.id}
              id={`search-hit-${i}`}
              role="option"
              aria-selected={i === active}
              className={`timeline-search-hit${i === active ? ' active' : ''}`}
              data-testid="timeline-search-hit"
              data-id={hit.id}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => {
                setActive(i);
                choose(hit);
              }}
            >
              <span className="timeline-search-meta">
                <strong>{hit.role ? WHO[hit.role] : hit.kind === 'error' ? 'Error' : 'Memory'}</strong> · {shortWhen(hit.ts)}
              </span>
              <span className="timeline-search-snippet">
                <Marked text={hit.snippet} ranges={hit.highlights} />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
