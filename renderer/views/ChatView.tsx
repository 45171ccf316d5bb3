import { useEffect } from 'react';
import { Composer } from '../components/Composer.js';
import { PendingApprovals } from '../components/PendingApprovals.js';
import { QueuedMessages } from '../components/QueuedMessages.js';
import { ReplyingTo } from '../components/ResultRow.js';
import { StopButton } from '../components/StopButton.js';
import { SearchIcon } from '../components/icons.js';
import { Timeline } from '../components/Timeline.js';
import { TimelineSearch } from '../components/TimelineSearch.js';
import { Welcome } from '../components/Welcome.js';
import { useApp, useAppStore } from '../store/context.js';
import { currentChatRun } from '../store/index.js';

/** The master timeline and the composer under it. Esc stops a reply that is being written. */
export function ChatView() {
  const store = useAppStore();
  const cancelRun = useApp((s) => s.cancelRun);
  const searchOpen = useApp((s) => s.searchOpen);
  const setSearchOpen = useApp((s) => s.setSearchOpen);
  // An empty conversation is a welcome that says what to set up, not an empty list.
  const empty = useApp((s) => s.timelineStatus === 'ready' && s.timelineItems.length === 0 && !s.hasOlder);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Ctrl/Cmd+F searches the whole timeline, not only the rows the browser has rendered.
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
        event.preventDefault();
        if (store.getState().searchOpen) document.getElementById('timeline-search-input')?.focus();
        else setSearchOpen(true);
        return;
      }
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const state = store.getState();
      const run = currentChatRun(state.activeRuns);
      if (!run || state.cancelling[run.id]) return;
      event.preventDefault();
      void cancelRun(run.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, cancelRun, setSearchOpen]);
  return (
    <div className="chat">
      {searchOpen ? (
        <TimelineSearch />
      ) : (
        <button type="button" className="search-open" aria-label="Search the conversation (Ctrl+F)" title="Search (Ctrl+F)" onClick={() => setSearchOpen(true)} data-testid="timeline-search-open">
          <SearchIcon />
        </button>
      )}
      {empty ? <Welcome /> : <Timeline />}
      <div className="chat-footer">
        <PendingApprovals />
        <StopButton />
        <QueuedMessages />
        <ReplyingTo />
        <Composer />
      </div>
    </div>
  );
}
