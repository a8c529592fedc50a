// The app: what the widget loads when the visitor reaches for the chat (chat-sdk-app.js next to the
// script; a chunk of the ES module build). The widget passes it what it checked at start-up.
export { createClient } from '../core/client';
// Shared by two parts that load on demand (a message's files, the upload tray): here, so neither loads the other.
export { formatSize } from '../core/size';
export { isRtl, loadStrings } from '../ui/strings';
export { attachWindow } from '../ui/window/attach';
export { readWindowOptions } from './window-options';
