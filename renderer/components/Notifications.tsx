import { useApp } from '../store/context.js';
import { BellIcon } from './icons.js';

/**
 * Offers browser notifications where the page shows `notify` requests. Browsers ask only from a
 * click, so this is a button, not a prompt on load.
 */
export function NotificationAccessButton() {
  const shows = useApp((s) => s.showsNotifications);
  const access = useApp((s) => s.notificationAccess);
  const request = useApp((s) => s.requestNotificationAccess);
  if (!shows || access === 'unsupported' || access === 'granted') return null;
  if (access === 'denied') {
    return (
      <div className="notification-access" data-testid="notification-access" data-access={access} title="Notifications are blocked by the browser; they appear in this page.">
        <BellIcon />
        <span className="notification-access-text">Notifications are blocked by the browser; they appear in this page.</span>
      </div>
    );
  }
  return (
    <button type="button" className="notification-access" data-testid="notification-access" data-access={access} aria-label="Enable notifications" title="Enable notifications" onClick={() => void request()}>
      <BellIcon />
      <span className="notification-access-text">Enable notifications</span>
    </button>
  );
}

/** Notifications the browser may not show itself, shown in the page for a few seconds. */
export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismissToast);
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((toast) => (
        <div key={toast.id} className="toast" data-testid="toast">
          <div className="toast-text">
            <div className="toast-title" data-testid="toast-title">
              {toast.title}
            </div>
            {toast.body ? <div className="toast-body">{toast.body}</div> : null}
          </div>
          <button type="button" className="toast-dismiss" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
