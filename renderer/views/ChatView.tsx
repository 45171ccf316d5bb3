import { Composer } from '../components/Composer.js';
import { StopButton } from '../components/StopButton.js';
import { Timeline } from '../components/Timeline.js';

/** The master timeline and the composer under it. */
export function ChatView() {
  return (
    <div className="chat">
      <Timeline />
      <div className="chat-footer">
        <StopButton />
        <Composer />
      </div>
    </div>
  );
}
