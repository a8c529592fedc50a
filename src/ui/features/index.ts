// The optional features of the widget (contact form, attachments, answer feedback): their components,
// strings and CSS. The window imports this module on demand (window/features.ts), only where one is on.
import type * as Self from '.';

export { AttachButton, createTray, type Tray, TrayView } from './attachments';
export { ContactForm } from './contact';
export { Rate } from './feedback';
export { withFeatureStrings } from './strings';
export { css } from './styles';

export type Features = typeof Self;
