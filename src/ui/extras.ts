// The optional features of the widget (contact form, attachments, answer feedback): their components,
// strings and CSS. The classic script loads them on demand from dist/chat-sdk-extras.js, only on sites
// that turn one on (load-extras-remote.ts); the ES module build bundles them (load-extras.ts).
export { AttachButton, createTray, TrayView } from './attachments';
export { ContactForm } from './contact';
export { css } from './extras-styles';
export { withExtraStrings } from './extras-i18n';
export { Rate } from './feedback';
