// Reading the tab's sessionStorage without the core, which a page view does not load.

/** A value of sessionStorage, or '' (none, or no storage). */
export function peekSession(key: string): string {
  try {
    return sessionStorage.getItem(key) || '';
  } catch {
    return '';
  }
}
