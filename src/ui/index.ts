export { mountWidget, onColor, type MountOptions, type WidgetView } from './mount';
export { getStrings, isRtl, locales, type Strings } from './i18n';
