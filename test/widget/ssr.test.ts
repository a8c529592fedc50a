// Node environment (no DOM): what Next.js or Nuxt do while rendering on the server.
import { describe, expect, it, vi } from 'vitest';

describe('server-side import', () => {
  it('imports without touching browser globals, and init returns a no-op instance with a warning', async () => {
    expect(typeof window).toBe('undefined');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { init } = await import('../../src');
    await import('../../src/embed/script');
    const inst = init({ apiKey: 'k', apiUrl: 'https://api.example.com' });
    expect(warn.mock.calls[0]![0]).toContain('needs a browser');
    expect(() => {
      inst.open();
      inst.toggle();
      inst.on('message', () => {})();
      inst.destroy();
    }).not.toThrow();
    expect(await inst.send('hi')).toBeUndefined();
  });
});
