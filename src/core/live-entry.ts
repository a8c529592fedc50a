// The entry of dist/chat-sdk-live.js (vite.config.ts): live updates, and `provide` for the helpers the
// file takes from the app that loads it (live-handoff.ts).
export { createLive } from './live';
export { provide } from './live-handoff';
