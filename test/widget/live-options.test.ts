// @vitest-environment happy-dom
// `live` and `sound` options: validated by the widget (a warning naming the option, then the default),
// `live` handed to the core.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getInstance, startWidget, type WidgetOptions } from '../../src/widget';
import * as app from '../../src/widget/app';
import { createFakeClient, msg } from '../ui/fake-client';
import { hoverLauncher } from '../ui/helpers';

const opts = { apiKey: 'pk_test', apiUrl: 'https://api.example.com' };
/** The real core, created through a spy: what the widget hands it is seen. */
const createClient = vi.fn(app.createClient);
const init = (options: WidgetOptions) => startWidget(options, () => Promise.resolve({ ...app, createClient }));
const made = () => createClient.mock.calls.at(-1)![0];

afterEach(() => {
  getInstance()?.destroy();
  createClient.mockClear();
  vi.restoreAllMocks();
});

describe('live and sound options', () => {
  it('passes a valid live mode to the core', async () => {
    const inst = init({ ...opts, live: 'websocket', sound: true });
    await hoverLauncher(); // the app is here
    inst.on('unread', () => {}); // creates the client
    expect(made().live).toBe('websocket');
  });

  it('an invalid live or sound warns once, naming the option, and the defaults apply', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const inst = init({ ...opts, live: 'sse' as any, sound: 'yes' as any });
    await hoverLauncher();
    inst.on('connection', () => {});
    const warned = warn.mock.calls.map((a) => String(a[0]));
    expect(warned).toEqual([
      '[ChatSDK] Option "sound" must be true or false; using false.',
      '[ChatSDK] Option "live" must be "poll", "websocket" or "off"; using "poll".',
    ]);
    expect(made().live).toBe('poll'); // the default, checked once: the core is not told the wrong value
  });

  it('unread events from the core reach on() handlers', async () => {
    const client = createFakeClient();
    const inst = init({ ...opts, client });
    const seen: unknown[] = [];
    inst.on('unread', (e) => seen.push(e));
    await vi.waitFor(() => expect(client.calls.getState).toBeGreaterThan(0)); // a given client is followed at idle time
    client.arrive(msg('agent', 'hi', 'sent', { agent: { name: 'Olena' } }));
    expect(seen).toEqual([{ count: 1 }]);
  });
});
