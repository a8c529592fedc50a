// @vitest-environment happy-dom
// Start-up: only the launcher is drawn; the core and the window (the app: chat-sdk-app.js next to the
// script, a chunk of the ES module) load when the visitor reaches for the chat, when the page calls the
// widget, or at idle time when this tab already has a chat. The app's loader is one the test settles.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type App, getInstance, startWidget, type WidgetOptions } from '../../src/widget';
import * as realApp from '../../src/widget/app';
import { createFakeClient, type FakeClient, msg } from '../ui/fake-client';
import { button, dialog, host, settle, shadow, stubAudio } from '../ui/helpers';

/** Every load of the app waits here until the test resolves or rejects it. */
const loader = { calls: 0, next: [] as { resolve(app: App): void; reject(error: unknown): void }[] };
const loadApp = (): Promise<App> => {
  loader.calls++;
  return new Promise((resolve, reject) => loader.next.push({ resolve, reject }));
};
const init = (options: WidgetOptions) => startWidget(options, loadApp);

const opts = { apiKey: 'pk_test', apiUrl: 'https://api.example.com' };
let client: FakeClient;
/** The app as chat-sdk-app.js gives it, with the fake client as the core. */
const app = (): App => ({ ...realApp, createClient: () => client });
const arrive = async () => {
  loader.next.shift()!.resolve(app());
  await settle();
};
const launcher = () => shadow().querySelector('.l') as HTMLButtonElement;

beforeEach(() => {
  client = createFakeClient();
  loader.calls = 0;
  loader.next = [];
  sessionStorage.clear();
});
afterEach(() => {
  getInstance()?.destroy();
  vi.restoreAllMocks();
});

describe('start-up draws the launcher only', () => {
  it('nothing is loaded at start-up nor at idle time on a page view without a chat', async () => {
    init(opts);
    expect(button('Open chat')).not.toBeNull();
    expect(dialog()).toBeUndefined();
    await settle(); // past the idle callback (a timer in this DOM)
    expect(loader.calls).toBe(0);
    expect(client.calls.getState).toBe(0);
  });

  it('a chat stored in this tab loads the app at idle time and follows it: the badge counts a reply while closed', async () => {
    sessionStorage.setItem('chatsdk:chats:https://api.example.com', '{}');
    init(opts);
    await settle();
    expect(loader.calls).toBe(1);
    await arrive();
    client.arrive(msg('agent', 'Hello again'));
    await settle();
    expect(launcher().getAttribute('aria-label')).toBe('Open chat, 1 unread');
    expect(dialog()).toBeUndefined();
  });
});

describe('reaching for the chat', () => {
  it('pointer over the launcher fetches the app and builds the window closed at idle time; the click only shows it', async () => {
    init(opts);
    launcher().dispatchEvent(new Event('pointerover'));
    launcher().dispatchEvent(new Event('pointerover'));
    expect(loader.calls).toBe(1);
    await arrive();
    await vi.waitFor(() => expect(shadow().querySelector('[role=dialog]')).not.toBeNull());
    expect(dialog()).toBeUndefined(); // built, still hidden
    expect(client.calls.connect).toBe(0); // nothing is asked of the backend before the chat is opened
    const tree = shadow().querySelector('[role=dialog]');
    launcher().click();
    expect(dialog()).toBe(tree);
    expect(shadow().activeElement).toBe(shadow().querySelector('textarea'));
    await vi.waitFor(() => expect(client.calls.connect).toBe(1));
    expect(loader.calls).toBe(1);
  });

  it('a hover whose app arrives broken rejects nothing into the page; the next hover tries again', async () => {
    init(opts);
    launcher().dispatchEvent(new Event('pointerover'));
    loader.next.shift()!.resolve({
      ...app(),
      attachWindow: () => {
        throw new Error('broken file');
      },
    });
    await settle(); // an unhandled rejection here fails the run
    launcher().dispatchEvent(new Event('pointerover'));
    expect(loader.calls).toBe(2);
  });

  it('destroy() after a hover cancels the idle-time build', async () => {
    let ids = 0;
    const ric = vi.fn((_cb: () => void) => ++ids);
    const cic = vi.fn();
    vi.stubGlobal('requestIdleCallback', ric);
    vi.stubGlobal('cancelIdleCallback', cic);
    try {
      const inst = init(opts);
      launcher().dispatchEvent(new Event('focus'));
      await arrive();
      expect(ric).toHaveBeenCalledTimes(2); // start-up's stored-chat check, then the build's first step
      inst.destroy();
      expect(cic).toHaveBeenCalledWith(2);
      ric.mock.calls[1]![0](); // a browser that runs it anyway
      expect(ric).toHaveBeenCalledTimes(2); // and schedules nothing more
      expect(host()).toBeNull();
      expect(client.calls.getState).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a click before the app is here marks the launcher busy, then opens the window when it arrives', async () => {
    const opened = vi.fn();
    const inst = init(opts);
    inst.on('open', opened);
    launcher().click();
    expect(launcher().getAttribute('aria-busy')).toBe('true');
    await arrive();
    expect(dialog()).toBeDefined();
    expect(launcher().hasAttribute('aria-busy')).toBe(false);
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('close() or a second toggle() before the app arrives cancels the open: the window stays closed', async () => {
    const opened = vi.fn();
    const inst = init(opts);
    inst.on('open', opened);
    inst.open();
    inst.close();
    inst.toggle();
    inst.toggle();
    await arrive();
    expect(dialog()).toBeUndefined();
    expect(opened).not.toHaveBeenCalled();
    expect(button('Open chat')).not.toBeNull();
    inst.toggle();
    await settle();
    expect(dialog()).toBeDefined();
  });

  it('a failed load is logged once, naming the cause; the next click tries again and opens', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    init(opts);
    launcher().click();
    loader.next.shift()!.reject(new Error('chat-sdk-app.js did not load (TypeError: Failed to fetch)'));
    await settle();
    expect(error.mock.calls.map((a) => String(a[0]))).toEqual([
      '[ChatSDK] The chat is unavailable: chat-sdk-app.js did not load (TypeError: Failed to fetch)',
    ]);
    expect(launcher().hasAttribute('aria-busy')).toBe(false);
    expect(dialog()).toBeUndefined();
    launcher().click();
    expect(loader.calls).toBe(2);
    await arrive();
    expect(dialog()).toBeDefined();
  });

  it('when the app arrives the window attaches and reads storage in one task and opens in the next; destroy() in between wins', async () => {
    const error = vi.spyOn(console, 'error');
    init(opts).open();
    loader.next.shift()!.resolve(app());
    // Promise callbacks only (the same task): the window's strings, attaching, the first storage read.
    for (let i = 0; i < 50 && !client.calls.getState; i++) await Promise.resolve();
    expect(client.calls.getState).toBeGreaterThan(0);
    expect(dialog()).toBeUndefined(); // not in the same task
    await settle();
    expect(dialog()).toBeDefined();
    getInstance()!.destroy();

    client = createFakeClient();
    const inst = init(opts);
    inst.open();
    loader.next.shift()!.resolve(app());
    for (let i = 0; i < 50 && !client.calls.getState; i++) await Promise.resolve();
    inst.destroy();
    await settle();
    expect(host()).toBeNull();
    expect(client.calls.connect).toBe(0);
    expect(error).not.toHaveBeenCalled();
  });

  it('a click whose app arrives broken: the launcher is not left busy, the failure is logged', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    init(opts);
    launcher().click();
    expect(launcher().getAttribute('aria-busy')).toBe('true');
    loader.next.shift()!.resolve({
      ...app(),
      attachWindow: () => {
        throw new Error('broken file');
      },
    });
    await settle();
    expect(launcher().hasAttribute('aria-busy')).toBe(false);
    expect(error.mock.calls.map((a) => String(a[0]))).toEqual(['[ChatSDK] The chat is unavailable: broken file']);
  });

  it('a call that throws once the app has arrived rejects nothing into the page: send() resolves undefined with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const inst = init(opts);
    const sent = inst.send('hello');
    client.send = () => {
      throw new Error('render broke');
    };
    await arrive();
    expect(await sent).toBeUndefined();
    expect(warn.mock.calls.map((a) => String(a[0]))).toEqual(['[ChatSDK] send(): render broke']);
  });

  it("a failed load leaves the page's toggle() button working: the next press opens", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const inst = init(opts);
    inst.toggle();
    loader.next.shift()!.reject(new Error('chat-sdk-app.js did not load (TypeError: Failed to fetch)'));
    await settle();
    inst.toggle();
    expect(loader.calls).toBe(2);
    await arrive();
    expect(dialog()).toBeDefined();
  });
});

describe('calls from the page before the app is here', () => {
  it('send() loads the app and sends the text; event handlers given earlier hear it', async () => {
    const heard: string[] = [];
    const inst = init(opts);
    inst.on('message', (e) => heard.push(e.message.text));
    const sent = inst.send('Hi from the page');
    await arrive();
    expect((await sent)?.text).toBe('Hi from the page');
    expect(client.calls.send).toEqual(['Hi from the page']);
    client.patch(client.getState().messages[0]!.id, { status: 'sent' });
    expect(heard).toContain('Hi from the page');
  });

  it('a handler removed before the app arrived hears nothing', async () => {
    const heard = vi.fn();
    const inst = init(opts);
    inst.on('message', heard)();
    void inst.send('quiet');
    await arrive();
    client.patch(client.getState().messages[0]!.id, { status: 'sent' });
    expect(heard).not.toHaveBeenCalled();
  });

  it('destroy() while the app is loading leaves nothing behind and attaches nothing', async () => {
    const inst = init(opts);
    inst.open();
    inst.destroy();
    await arrive();
    expect(host()).toBeNull();
    expect(client.calls.getState).toBe(0);
  });
});

describe('sound', () => {
  it('the first click on the launcher, before the app is here, is the gesture that allows the tone', async () => {
    const audio = stubAudio();
    try {
      init({ ...opts, sound: true });
      expect(audio.made).toBe(0);
      launcher().click();
      expect(audio.made).toBe(1); // in the click itself, not when the app arrives
      await arrive();
      getInstance()!.close();
      client.arrive(msg('agent', 'Back with an answer'));
      expect(audio.notes).toEqual([659, 880]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
