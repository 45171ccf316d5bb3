import { useEffect, useRef, type RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Where focus goes when a dialog closes: the composer when the chat shows it, else what had it before. */
function returnFocus(previous: Element | null): void {
  const composer = document.getElementById('composer-input') as HTMLTextAreaElement | null;
  if (composer && !composer.disabled) composer.focus();
  else if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
}

/**
 * Keeps keyboard focus inside an open dialog: it starts on the dialog itself (so an Enter meant for
 * something else answers nothing), Tab and Shift+Tab cycle through its controls, Esc calls `onEscape`,
 * and when the dialog goes focus returns to the composer. `key` changes when the dialog shows something
 * new (the next request) and focus starts over.
 */
export function useDialogFocus(ref: RefObject<HTMLElement | null>, open: boolean, onEscape: () => void, key?: string): void {
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement;
    return () => returnFocus(previous);
  }, [open]);
  useEffect(() => {
    if (!open) return;
    ref.current?.focus();
  }, [open, key, ref]);
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      const dialog = ref.current;
      if (!dialog) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        escape.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
      if (items.length === 0) {
        event.preventDefault();
        dialog.focus();
        return;
      }
      const first = items[0];
      const last = items[items.length - 1];
      const active = document.activeElement;
      const inside = active instanceof Node && dialog.contains(active);
      if (event.shiftKey && (active === first || active === dialog || !inside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !inside)) {
        event.preventDefault();
        first.focus();
      }
    };
    // Capture: the dialog sees Tab and Esc before anything behind it.
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [open, ref]);
}
