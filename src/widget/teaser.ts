// The teaser: shown after its delay while the window is closed, until the visitor opens the chat (on this
// page: every open hides it) or dismisses it (for this tab's session, until reset()); never once this tab has a
// conversation, i.e. a visitor's message in its stored chats (opening the chat alone stores them too; a
// page's own client is not asked). Inline and with `open`, the first open clears it.
import { storageKey } from '../core/storage';
import type { Launcher } from '../ui/launcher';
import type { ResolvedWidgetOptions } from './options';
import { peekSession } from './session-peek';

/** Starts the teaser's delay; the function returned hides it (and cancels a delay still running). */
export function startTeaser(
  launcher: Launcher,
  options: Pick<ResolvedWidgetOptions, 'teaser' | 'teaserDelay'>,
  apiUrl: string,
): () => void {
  const dismissedKey = storageKey('teaser', apiUrl);
  const hide = (): void => {
    clearTimeout(timer || undefined);
    launcher.teaser();
  };
  const timer =
    options.teaser &&
    setTimeout(() => {
      if (!peekSession(dismissedKey) && !/"author":"visitor"/.test(peekSession(storageKey('chats', apiUrl))))
        launcher.teaser(options.teaser, () => {
          hide();
          try {
            sessionStorage.setItem(dismissedKey, '1');
          } catch {
            // no storage: dismissed on this page only
          }
        });
    }, options.teaserDelay * 1000);
  return hide;
}

/** reset() signs the visitor out: the next one on this device is invited again. */
export function forgetTeaserDismissal(apiUrl: string): void {
  try {
    sessionStorage.removeItem(storageKey('teaser', apiUrl));
  } catch {
    // no storage: nothing was kept
  }
}
