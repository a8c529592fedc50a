// @vitest-environment happy-dom
// Options of the optional features (contactForm, contactFields, attachments, maxFileSize, feedback):
// validated with a warning naming the option, read from data-* attributes, and the instance's
// identify() / reset() reaching the core.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readAttributes } from '../../src/embed/script';
import { getInstance, startWidget, type WidgetOptions } from '../../src/widget';
import * as app from '../../src/widget/app';
import { createFakeClient } from '../ui/fake-client';
import { button, dialog, hoverLauncher, shadow } from '../ui/helpers';

const opts = { apiKey: 'pk_test', apiUrl: 'https://api.example.com' };
/** The real core, created through a spy: what the widget hands it is seen. */
const createClient = vi.fn(app.createClient);
const init = (options: WidgetOptions) => startWidget(options, () => Promise.resolve({ ...app, createClient }));
const made = () => createClient.mock.results.at(-1)!.value as ReturnType<typeof app.createClient>;

afterEach(() => {
  getInstance()?.destroy();
  createClient.mockClear();
  vi.restoreAllMocks();
});

describe('feature options', () => {
  it('invalid values warn, naming the option and the fix, and the defaults apply', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    init({
      ...opts,
      client: createFakeClient(),
      contactForm: 'always' as never,
      contactFields: 'name,age',
      attachments: 'yes' as never,
      maxFileSize: -1,
      feedback: 1 as never,
    });
    expect(warn.mock.calls.map((a) => String(a[0]))).toEqual([
      '[ChatSDK] Option "maxFileSize" must be a positive integer (bytes); using 10485760.',
      '[ChatSDK] Option "contactForm" must be "off", "before" or "after-first-message"; using "off".',
      '[ChatSDK] Option "contactFields" must be a list of name, email and phone, e.g. "name,email"; using "name,email".',
      '[ChatSDK] Option "attachments" must be true or false; using false.',
      '[ChatSDK] Option "feedback" must be true or false; using false.',
    ]);
    button('Open chat')!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(button('Attach file')).toBeNull();
    expect(shadow().querySelector('form.cf')).toBeNull();
  });

  it('suggestions and imageOrigins are checked when the app loads: one warning each, not at init, not again on open', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const warned = () => warn.mock.calls.map((a) => String(a[0]));
    init({ ...opts, client: createFakeClient(), suggestions: 5 as never, imageOrigins: 'ftp://files.example.com' });
    expect(warned()).toEqual([]);
    await hoverLauncher(); // the app is here
    const expected = [
      '[ChatSDK] Option "suggestions" must be a list of texts, e.g. "Track my order|Return a bike"; using "".',
      '[ChatSDK] Option "imageOrigins" must be a list of origins, e.g. "https://cdn.example.com"; using "".',
    ];
    expect(warned()).toEqual(expected);
    button('Open chat')!.click();
    await vi.waitFor(() => expect(dialog()).toBeDefined());
    expect(warned()).toEqual(expected);
  });

  it('contactFields as a list or a comma string; the form shows those fields', async () => {
    init({ ...opts, client: createFakeClient(), contactForm: 'before', contactFields: ' Phone , name' });
    button('Open chat')!.click();
    const labels = () => [...shadow().querySelectorAll('form.cf label')].map((l) => l.textContent);
    await vi.waitFor(() => expect(labels()).toEqual(['Phone', 'Name']));
  });

  it('data-* attributes: data-attachments, data-feedback (booleans), data-max-file-size (number), data-contact-form / -fields (text)', () => {
    const el = document.createElement('script');
    for (const [name, value] of Object.entries({
      attachments: 'true',
      feedback: 'false',
      'max-file-size': '2048',
      'contact-form': 'after-first-message',
      'contact-fields': 'name,phone',
    })) {
      el.setAttribute(`data-${name}`, value);
    }
    expect(readAttributes(el)).toEqual({
      attachments: true,
      feedback: false,
      maxFileSize: 2048,
      contactForm: 'after-first-message',
      contactFields: 'name,phone',
    });
  });

  it('maxFileSize reaches the core; identify() and reset() on the instance reach it too', async () => {
    const inst = init({ ...opts, attachments: true, maxFileSize: 1024 });
    const identify = vi.fn(async () => undefined);
    const reset = vi.fn();
    await hoverLauncher(); // the app is here
    inst.on('ready', () => {}); // creates the client
    expect(createClient.mock.calls.at(-1)![0].maxFileSize).toBe(1024);
    Object.assign(made(), { identify, reset });
    await inst.identify({ email: 'ada@example.com' }, { signature: 'sig' });
    inst.reset();
    expect(identify).toHaveBeenCalledWith({ email: 'ada@example.com' }, { signature: 'sig' });
    expect(reset).toHaveBeenCalledOnce();
  });
});
