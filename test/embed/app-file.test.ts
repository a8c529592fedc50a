// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { appUrl } from '../../src/embed/app-file';
import { version } from '../../src/widget';

describe('where the app file is', () => {
  it('next to the script; under dist/ of this version for a CDN package URL that redirected to the script', () => {
    expect(appUrl('https://cdn.example.com/x/chat-sdk.js')).toBe('https://cdn.example.com/x/chat-sdk-app.js');
    expect(appUrl('https://cdn.example.com/x/chat-sdk.js?v=3', '?retry=1')).toBe('https://cdn.example.com/x/chat-sdk-app.js?retry=1');
    // The package URL, with a version, a range or none: this very version's dist/ (a range would redirect again).
    for (const tag of ['https://unpkg.com/chat-sdk@0.1.0', 'https://unpkg.com/chat-sdk@0', 'https://unpkg.com/chat-sdk']) {
      expect(appUrl(tag)).toBe(`https://unpkg.com/chat-sdk@${version}/dist/chat-sdk-app.js`);
    }
    expect(appUrl('https://cdn.jsdelivr.net/npm/chat-sdk@latest/')).toBe(
      `https://cdn.jsdelivr.net/npm/chat-sdk@${version}/dist/chat-sdk-app.js`,
    );
    // A site's own path without .js is not a package URL.
    expect(appUrl('https://shop.example/widget')).toBe('https://shop.example/chat-sdk-app.js');
  });
});
