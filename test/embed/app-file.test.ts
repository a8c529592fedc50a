// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { appUrl } from '../../src/embed/app-file';

describe('where the app file is', () => {
  it('next to the script; under dist/ of a CDN package URL that redirected to the script', () => {
    expect(appUrl('https://cdn.example.com/x/chat-sdk.js')).toBe('https://cdn.example.com/x/chat-sdk-app.js');
    expect(appUrl('https://cdn.example.com/x/chat-sdk.js?v=3', '?retry=1')).toBe('https://cdn.example.com/x/chat-sdk-app.js?retry=1');
    expect(appUrl('https://unpkg.com/chat-sdk@0.1.0')).toBe('https://unpkg.com/chat-sdk@0.1.0/dist/chat-sdk-app.js');
    expect(appUrl('https://cdn.jsdelivr.net/npm/chat-sdk@0/')).toBe('https://cdn.jsdelivr.net/npm/chat-sdk@0/dist/chat-sdk-app.js');
  });
});
