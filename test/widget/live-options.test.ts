// @vitest-environment happy-dom
// `live` and `sound` options: validated by the widget (a warning naming the option, then the default),
// `live` handed to the core.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChatClient } from '../../src/core';
import { getInstance, init } from '../../src/widget';
import { createFakeClient, msg } from '../ui/fake-client';

vi.mock('../../src/core', async (orig) => {
  const core = await orig<typeof import('../../src/core')>();
  return { ...core, createChatClient: vi.fn(core.createChatClient) };
});

const opts = { apiKey: 'pk_test', apiUrl: 'https://api.example.com' };
const made = () => vi.mocked(createChatClient).mock.calls.at(-1)![0];

afterEach(() => {
  getInstance()?.destroy();
  vi.mocked(createChatClient).mockClear();
  vi.restoreAllMocks();
});

describe('live and sound options', () => {
  it('passes a valid live mode to the core', () => {
    const inst = init({ ...opts, live: 'websocket', sound: true });
    inst.on('unread', () => {}); // creates the client
    expect(made().live).toBe('websocket');
  });

  it('an invalid live or sound warns once, naming the option, and the defaults apply', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const inst = init({ ...opts, live: 'sse' as any, sound: 'yes' as any });
    inst.on('connection', () => {});
    const warned = warn.mock.calls.map((a) => String(a[0]));
    expect(warned).toEqual([
      '[ChatSDK] Option "sound" must be true or false; using false.',
      '[ChatSDK] Option "live" must be "poll", "websocket" or "off"; using "poll".',
    ]);
    expect(made().live).toBeUndefined(); // the core's default: poll
  });

  it('unread events from the core reach on() handlers', () => {
    const client = createFakeClient();
    const inst = init({ ...opts, client });
    const seen: unknown[] = [];
    inst.on('unread', (e) => seen.push(e));
    client.arrive(msg('agent', 'hi', 'sent', { agent: { name: 'Olena' } }));
    expect(seen).toEqual([{ count: 1 }]);
  });
});
