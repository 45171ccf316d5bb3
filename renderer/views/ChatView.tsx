import { useEffect } from 'react';
import { Composer } from '../components/Composer.js';
import { PendingApprovals } from '../components/PendingApprovals.js';
import { StopButton } from '../components/StopButton.js';
import { Timeline } from '../components/Timeline.js';
import { useApp, useAppStore } from '../store/context.js';
import { currentChatRun } from '../store/index.js';

/** The master timeline and the composer under it. Esc stops a reply that is being written. */
export function ChatView() {
  const store = useAppStore();
  const cancelRun = useApp((s) => s.cancelRun);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const state = store.getState();
      const run = currentChatRun(state.activeRuns);
      if (!run || state.cancelling[run.id]) return;
      event.preventDefault();
      void cancelRun(run.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, cancelRun]);
  return (
    <div className="chat">
      <Timeline />
      <div className="chat-footer">
        <PendingApprovals />
        <StopButton />
        <Composer />
      </div>
    </div>
  );
}
