import type { AppEvent, Client } from '../../core/contract/index.js';
import type { SliceCreator } from './types.js';

/** A notification shown inside the page, when the browser may not show it. */
export interface Toast {
  /** The seq of the event that asked for it. */
  id: number;
  title: string;
  body: string;
}

/** What the browser allows; `unsupported` where there is no Notification API. */
export type NotificationAccess = 'default' | 'granted' | 'denied' | 'unsupported';

export interface NotificationsSlice {
  /** This window shows `notify` requests (the browser UI; the desktop app shows them natively). */
  showsNotifications: boolean;
  notificationAccess: NotificationAccess;
  toasts: Toast[];
  /** Asks the browser for permission; must run inside a user gesture. */
  requestNotificationAccess(): Promise<void>;
  dismissToast(id: number): void;
  applyNotificationEvents(events: readonly AppEvent[]): void;
}

/** How long a toast stays unless dismissed. */
export const TOAST_MS = 10_000;
/**
 * A request older than this when it arrives came in the backlog after a reconnect: the moment has
 * passed (and another window may have shown it), so it is not shown late.
 */
const STALE_MS = 30_000;

function browserAccess(): NotificationAccess {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export const createNotificationsSlice: SliceCreator<NotificationsSlice> = (set, get) => {
  // Requests from before this page loaded were meant for the windows open then.
  const loadedAt = Date.now();
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  const dismissToast = (id: number) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  };

  return {
    showsNotifications: false,
    notificationAccess: browserAccess(),
    toasts: [],

    async requestNotificationAccess() {
      if (typeof Notification === 'undefined') return;
      try {
        await Notification.requestPermission();
      } finally {
        set({ notificationAccess: browserAccess() });
      }
    },

    dismissToast,

    applyNotificationEvents(events) {
      if (!get().showsNotifications) return;
      const now = Date.now();
      const added: Toast[] = [];
      for (const event of events) {
        if (event.type !== 'notification.requested') continue;
        if (event.ts < loadedAt || now - event.ts > STALE_MS) continue;
        const { title, body } = event.data;
        if (browserAccess() === 'granted') {
          try {
            // The tag makes two open tabs show one notification, not two.
            new Notification(title, { body, tag: `agent-blob-${event.seq}` });
            continue;
          } catch {
            // Some browsers only allow notifications from a service worker; the page shows it instead.
          }
        }
        added.push({ id: event.seq, title, body });
        timers.set(event.seq, setTimeout(() => dismissToast(event.seq), TOAST_MS));
      }
      if (added.length) set({ toasts: [...get().toasts, ...added] });
    },
  };
};

/**
 * Makes this window one that shows notifications: it tells core so on every connection (a
 * reconnect is a new session), and from then on shows the requests that arrive live.
 */
export function announceNotifications(store: { setState(patch: Partial<NotificationsSlice>): void }, client: Client): () => void {
  store.setState({ showsNotifications: true, notificationAccess: browserAccess() });
  const hello = () => {
    client.call('client.hello', { capabilities: ['notifications'] }).catch(() => {
      // The connection dropped under it; the next open announces again.
    });
  };
  if (client.state() === 'open') hello();
  return client.onState((state) => {
    if (state === 'open') hello();
  });
}
