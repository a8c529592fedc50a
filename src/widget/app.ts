// What the widget needs beyond its launcher: the headless core and the chat window. The ES module build
// bundles it (load-app.ts); the classic script loads it from dist/chat-sdk-app.js (load-app-remote.ts).
export { createChatClient } from '../core';
export { attachWindow } from '../ui/mount';
