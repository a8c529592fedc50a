// Inline SVG icons as VNodes: no data: URLs, no external assets (CSP `img-src` untouched).
import type { JSX } from 'preact';

const icon = (d: string): JSX.Element => (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
    <path d={d} />
  </svg>
);

export const ChatIcon = () => icon('M21 12a8 8 0 0 1-11.8 7L4 20l1.1-4.6A8 8 0 1 1 21 12z');
export const CloseIcon = () => icon('M6 6l12 12M18 6L6 18');
export const NewIcon = () => icon('M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z');
export const SendIcon = () => icon('M5 12h14M13 6l6 6-6 6');
export const StopIcon = () => (
  <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
    <rect x="7" y="7" width="10" height="10" rx="2" />
  </svg>
);
