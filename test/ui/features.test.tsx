// @vitest-environment happy-dom
// The optional visitor-side features in the widget: the contact form (before and after the first
// message), attachments (attach, drop, paste, progress, cancel, retry, thumbnails and chips), answer
// feedback, and the conversation list.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Attachment } from '../../src/core/types';
import type { WidgetInstance, WidgetOptions } from '../../src/widget';
import { createFakeClient, type FakeClient, msg } from './fake-client';
import {
  alertText,
  button,
  compileWindowParts,
  dialog,
  hoverLauncher,
  key,
  messages,
  openChat,
  settle,
  shadow,
  startChat,
  textbox,
  textOf,
  type,
} from './helpers';

let client: FakeClient;
let chat: WidgetInstance | undefined;

/** The widget with these options, opened; the optional features, where one is on, loaded (their stylesheet added). */
const mount = async (options: Partial<WidgetOptions> = {}) => {
  chat = startChat(client, options);
  await openChat(chat);
  const features = (options.contactForm && options.contactForm !== 'off') || options.attachments || options.feedback;
  if (features) await vi.waitFor(() => expect(shadow().adoptedStyleSheets).toHaveLength(3));
  await settle();
};
/** The input a visible <label> names (its text only: a validation message is a description, not the name). */
const field = (label: string) => {
  const el = [...shadow().querySelectorAll('label')].find((l) => l.textContent === label);
  return el ? (shadow().getElementById(el.htmlFor) as HTMLInputElement | null) : null;
};
const fill = (input: HTMLInputElement, value: string) => {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
const submitForm = (form: Element) => form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
const png = (name = 'photo.png', bytes = 10) => new File([new Uint8Array(bytes)], name, { type: 'image/png' });
const served = (name = 'photo.png'): Attachment => ({
  id: `a-${name}`,
  url: `https://api.test/files/${name}`,
  name,
  size: 10,
  contentType: 'image/png',
});
const fileInput = () => shadow().querySelector('input[type=file]') as HTMLInputElement;
const choose = (...files: File[]) => {
  Object.defineProperty(fileInput(), 'files', { value: files, configurable: true });
  fileInput().dispatchEvent(new Event('change', { bubbles: true }));
};
const progressbars = () => [...shadow().querySelectorAll('progress')];

beforeAll(() => compileWindowParts());

beforeEach(() => {
  client = createFakeClient();
});
afterEach(() => {
  chat?.destroy();
  chat = undefined;
  vi.restoreAllMocks();
});

describe('contact form', () => {
  it('after-first-message: the message goes out, then the form shows, the composer waits; checked as typed; sent once valid', async () => {
    await mount({ contactForm: 'after-first-message', contactFields: ['name', 'email'] });
    expect(shadow().querySelector('form.cf')).toBeNull();
    type('Do you ship to Lviv?');
    key(textbox(), 'Enter');
    await settle();
    expect(client.calls.send).toEqual(['Do you ship to Lviv?']);
    const form = shadow().querySelector('form.cf')!;
    expect(form.textContent).toContain('Please leave your contact details so we can reach you.');
    expect(textbox().disabled).toBe(true);
    expect(textbox().placeholder).toBe('Please fill in the form first.');
    // Focus moves into the form.
    expect(shadow().activeElement).toBe(field('Name'));

    const email = field('Email')!;
    fill(email, 'ada@');
    email.dispatchEvent(new Event('blur'));
    await settle();
    expect(email.getAttribute('aria-invalid')).toBe('true');
    const why = shadow().getElementById(email.getAttribute('aria-describedby')!)!;
    expect(why.textContent).toBe('Enter an email address like name@example.com.');
    // Submitting with a missing name and a bad email sends nothing.
    submitForm(form);
    await settle();
    expect(client.calls.identify).toEqual([]);
    expect(form.textContent).toContain('Please fill this in.');

    fill(field('Name')!, '  Ada ');
    fill(email, 'ada@example.com');
    await settle();
    expect(email.hasAttribute('aria-invalid')).toBe(false);
    submitForm(form);
    await settle();
    expect(client.calls.identify).toEqual([{ name: 'Ada', email: 'ada@example.com' }]);
    expect(shadow().querySelector('form.cf')).toBeNull();
    expect(textbox().disabled).toBe(false);
    expect(shadow().querySelector('[role=status].ok')!.textContent).toBe('Thank you! We will reach you there.');
  });

  it('before: asked before the first message; phone checked (digits, optional +); not shown once identified', async () => {
    await mount({ contactForm: 'before', contactFields: ['phone'] });
    expect(textbox().disabled).toBe(true);
    const phone = field('Phone')!;
    fill(phone, 'call me');
    phone.dispatchEvent(new Event('blur'));
    await settle();
    expect(shadow().querySelector('form.cf')!.textContent).toContain('Enter a phone number: digits, optionally starting with +.');
    fill(phone, '+380 67 123 45 67');
    submitForm(shadow().querySelector('form.cf')!);
    await settle();
    expect(client.calls.identify).toEqual([{ phone: '+380 67 123 45 67' }]);
    chat!.destroy();
    chat = undefined;
    client = createFakeClient();
    client.setState({ identified: true });
    await mount({ contactForm: 'before' });
    expect(shadow().querySelector('form.cf')).toBeNull();
    expect(textbox().disabled).toBe(false);
  });

  it('before: a window built closed ahead of time (a hover) opens with the focus in the form, as a reopen does', async () => {
    chat = startChat(client, { contactForm: 'before' });
    await hoverLauncher();
    await vi.waitFor(() => expect(shadow().querySelector('form.cf')).not.toBeNull()); // the form's file is here
    const launcher = shadow().querySelector<HTMLElement>('.l')!;
    for (let round = 0; round < 2; round++) {
      launcher.focus(); // a keyboard visitor about to press Enter
      chat.open();
      expect(shadow().activeElement).toBe(field('Name'));
      chat.close();
      expect(shadow().activeElement).toBe(launcher);
    }
  });

  it("before, on a small screen: Tab from the form's last button wraps inside the window (the waiting composer is skipped)", async () => {
    const happy = (window as any).happyDOM;
    happy.setViewport({ width: 400, height: 700 });
    try {
      await mount({ contactForm: 'before' });
      const submit = shadow().querySelector<HTMLButtonElement>('form.cf button[type=submit]')!;
      submit.focus();
      key(submit, 'Tab');
      expect(shadow().activeElement).toBe(button('Chats'));
      key(button('Chats')!, 'Tab', { shiftKey: true });
      expect(shadow().activeElement).toBe(submit);
    } finally {
      happy.setViewport({ width: 1024, height: 768 });
    }
  });

  it('a failed submit keeps the form and what was typed, with the reason in the alert', async () => {
    client.identify = async () => {
      throw Object.assign(new Error('down'), { code: 'network' });
    };
    await mount({ contactForm: 'before' });
    fill(field('Name')!, 'Ada');
    fill(field('Email')!, 'ada@example.com');
    submitForm(shadow().querySelector('form.cf')!);
    await settle();
    expect(alertText()).toContain('No connection.');
    expect(field('Email')!.value).toBe('ada@example.com');
  });
  it('a backend without the visitor endpoint (404): the form is skipped with one warning, the visitor can chat', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    client.identify = async () => {
      throw Object.assign(new Error('No route'), { code: 'http', status: 404 });
    };
    await mount({ contactForm: 'before' });
    fill(field('Name')!, 'Ada');
    fill(field('Email')!, 'ada@example.com');
    submitForm(shadow().querySelector('form.cf')!);
    await settle();
    expect(shadow().querySelector('form.cf')).toBeNull();
    expect(textbox().disabled).toBe(false);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      '[ChatSDK] The backend has no PATCH /api/chats/visitors/{id}/ (404): the contact form is skipped.',
    ]);
  });
});

describe('attachments', () => {
  it('off by default: no attach button, no file input', async () => {
    await mount();
    expect(button('Attach file')).toBeNull();
    expect(fileInput()).toBeNull();
  });

  it('attach: the upload shows progress, then the file goes with the next message (also without text)', async () => {
    await mount({ attachments: true });
    expect(button('Attach file')).not.toBeNull();
    expect(fileInput().accept).toContain('image/png');
    choose(png());
    await settle();
    const [upload] = client.uploads;
    expect(upload!.file.name).toBe('photo.png');
    expect(progressbars().map((p) => p.getAttribute('aria-label'))).toEqual(['Uploading photo.png']);
    upload!.options.onProgress!(5, 10);
    await settle();
    expect(progressbars()[0]!.value).toBe(5);
    // Send waits for a finished upload or text.
    expect(button('Send')!.disabled).toBe(true);
    upload!.resolve(served());
    await settle();
    expect(progressbars()).toEqual([]);
    expect(button('Send')!.disabled).toBe(false);
    key(textbox(), 'Enter');
    await settle();
    expect(client.calls.send).toEqual(['']);
    expect(client.calls.attachments).toEqual([[served()]]);
    expect(shadow().querySelector('.tr')).toBeNull();
  });

  it('a message sent while a file still uploads goes without it; the file stays for the next one', async () => {
    await mount({ attachments: true });
    choose(png());
    await settle();
    type('text first');
    key(textbox(), 'Enter');
    await settle();
    expect(client.calls.send).toEqual(['text first']);
    expect(client.calls.attachments).toEqual([[]]);
    expect(progressbars()).toHaveLength(1);
  });

  it('refused before upload: a type outside the allowlist, a file over the size limit, an empty file (clear messages)', async () => {
    await mount({ attachments: true, maxFileSize: 1024 * 1024 });
    choose(new File(['x'], 'setup.exe', { type: 'application/x-msdownload' }));
    await settle();
    expect(alertText()).toBe('setup.exe can’t be sent: only images, PDF, text, CSV, Word, Excel or ZIP files.');
    choose(png('huge.png', 2 * 1024 * 1024));
    await settle();
    expect(alertText()).toBe('huge.png is too large: files can be at most 1 MB.');
    choose(png('blank.png', 0));
    await settle();
    expect(alertText()).toBe('blank.png is empty.');
    expect(client.uploads).toEqual([]);
  });

  it('cancel aborts the upload; a failed one shows why and can be retried', async () => {
    await mount({ attachments: true });
    choose(png('one.png'), png('two.png'));
    await settle();
    const [one, two] = client.uploads;
    button('Cancel: one.png')!.click();
    await settle();
    expect(one!.options.signal!.aborted).toBe(true);
    one!.reject(Object.assign(new Error('cancelled'), { code: 'aborted' }));
    two!.reject(Object.assign(new Error('boom'), { code: 'http' }));
    await settle();
    expect(shadow().querySelector('.tr')!.textContent).toContain('two.png');
    expect(shadow().querySelector('.tr')!.textContent).not.toContain('one.png');
    expect(alertText()).toContain('Upload failed.');
    button('Retry')!.click();
    await settle();
    expect(client.uploads).toHaveLength(3);
    expect(client.uploads[2]!.file.name).toBe('two.png');
  });

  it('files belong to one chat: a new chat (or reset) cancels them and empties the tray', async () => {
    await mount({ attachments: true });
    choose(png());
    await settle();
    expect(progressbars()).toHaveLength(1);
    await client.newChat();
    await settle();
    expect(client.uploads[0]!.options.signal!.aborted).toBe(true);
    expect(shadow().querySelector('.tr')).toBeNull();
  });

  it('files dropped on the window and images pasted into the composer are uploaded', async () => {
    await mount({ attachments: true });
    const win = shadow().querySelector('[role=dialog]')!;
    const over = Object.assign(new Event('dragover', { bubbles: true, cancelable: true }), {
      dataTransfer: { types: ['Files'], files: [] },
    });
    win.dispatchEvent(over);
    await settle();
    expect(over.defaultPrevented).toBe(true);
    expect(shadow().querySelector('.dz')!.textContent).toBe('Drop files to attach');
    win.dispatchEvent(
      Object.assign(new Event('drop', { bubbles: true, cancelable: true }), {
        dataTransfer: { types: ['Files'], files: [png('dropped.png')] },
      }),
    );
    const paste = Object.assign(new Event('paste', { bubbles: true, cancelable: true }), { clipboardData: { files: [png('pasted.png')] } });
    textbox().dispatchEvent(paste);
    await settle();
    expect(shadow().querySelector('.dz')).toBeNull();
    expect(client.uploads.map((u) => u.file.name)).toEqual(['dropped.png', 'pasted.png']);
    expect(paste.defaultPrevented).toBe(true);
  });

  it('in the transcript: images as thumbnails, other files as chips with name and size, both links to the file', async () => {
    await mount({ apiUrl: 'https://api.test' });
    const pdf: Attachment = {
      id: 'p',
      url: 'https://api.test/files/invoice.pdf',
      name: 'invoice.pdf',
      size: 2048,
      contentType: 'application/pdf',
    };
    client.setMessages([msg('agent', 'Here you go', 'sent', { agent: { name: 'Olena' }, attachments: [served(), pdf] })]);
    await settle();
    const links = [...messages()[0]!.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://api.test/files/photo.png', 'https://api.test/files/invoice.pdf']);
    expect(links.every((a) => a.rel.includes('noopener') && a.target === '_blank')).toBe(true);
    expect(links[0]!.querySelector('img')!.getAttribute('alt')).toBe('photo.png');
    expect(links[1]!.textContent).toBe('invoice.pdf2 KB');
  });
});

describe('images from other origins', () => {
  const elsewhere: Attachment = { ...served(), id: 'x', url: 'https://tracker.example/p.png' };

  it('an image file on a host that is neither the API nor allowed is a file link, never loaded', async () => {
    await mount({ apiUrl: 'https://api.test' });
    client.setMessages([msg('agent', 'Look', 'sent', { agent: { name: 'Olena' }, attachments: [served(), elsewhere] })]);
    await settle();
    const links = [...messages()[0]!.querySelectorAll('a')];
    expect(links.map((a) => a.querySelector('img')?.getAttribute('src') ?? a.textContent)).toEqual([
      'https://api.test/files/photo.png',
      expect.stringMatching(/^photo\.png/),
    ]);
    expect(links[1]!.getAttribute('href')).toBe('https://tracker.example/p.png');
  });

  it('imageOrigins allows more origins; a wrong value names the option and allows only the API', async () => {
    await mount({ apiUrl: 'https://api.test', imageOrigins: 'https://tracker.example, https://cdn.example' });
    client.setMessages([msg('agent', 'Look', 'sent', { agent: { name: 'Olena' }, attachments: [elsewhere] })]);
    await settle();
    expect(messages()[0]!.querySelector('img')!.getAttribute('src')).toBe('https://tracker.example/p.png');
    chat!.destroy();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await mount({ apiUrl: 'https://api.test', imageOrigins: 'cdn.example' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Option "imageOrigins" must be a list of origins'));
    client.setMessages([msg('agent', 'Look', 'sent', { agent: { name: 'Olena' }, attachments: [elsewhere] })]);
    await settle();
    expect(messages()[0]!.querySelector('img')).toBeNull();
  });
});

describe('answer feedback', () => {
  const answer = () => msg('assistant', 'The answer', 'sent', { serverId: 'r1' });

  it('Helpful and Not helpful on a complete answer (not while streaming, not without the option)', async () => {
    await mount({ feedback: true });
    client.setMessages([msg('visitor', 'q'), msg('assistant', 'partial', 'streaming')]);
    await settle();
    expect(button('Helpful')).toBeNull();
    client.setMessages([msg('visitor', 'q'), answer()]);
    await settle();
    expect(button('Helpful')).not.toBeNull();
    expect(button('Not helpful')).not.toBeNull();
    chat!.destroy();
    client = createFakeClient();
    await mount();
    client.setMessages([answer()]);
    await settle();
    expect(button('Helpful')).toBeNull();
  });

  /** The widget with feedback on, showing one finished answer. */
  const showAnswer = async () => {
    await mount({ feedback: true });
    const a = answer();
    client.setMessages([a]);
    await settle();
    return a;
  };

  it('Helpful is sent once and shown as given', async () => {
    const a = await showAnswer();
    button('Helpful')!.click();
    await settle();
    expect(client.calls.feedback).toEqual([[a.id, 'up', undefined]]);
    expect(button('Helpful')!.getAttribute('aria-pressed')).toBe('true');
    expect(button('Helpful')!.disabled).toBe(true);
    expect(button('Not helpful')!.disabled).toBe(true);
    expect(messages()[0]!.textContent).toContain('Thanks for your feedback!');
  });

  it('Not helpful asks for an optional comment, then sends it', async () => {
    const a = await showAnswer();
    button('Not helpful')!.click();
    await settle();
    const note = shadow().querySelector<HTMLTextAreaElement>('textarea[aria-label="What went wrong? (optional)"]')!;
    expect(shadow().activeElement).toBe(note);
    note.value = 'Wrong store hours';
    button('Send feedback')!.click();
    await settle();
    expect(client.calls.feedback).toEqual([[a.id, 'down', 'Wrong store hours']]);
    expect(button('Not helpful')!.getAttribute('aria-pressed')).toBe('true');
  });
});

describe('conversation list', () => {
  const chat = (id: string, text: string, at: string, unread?: number) => ({
    id,
    createdAt: at,
    messages: text ? [msg('visitor', text, 'sent', { createdAt: at })] : [],
    ...(unread ? { unread } : {}),
  });

  it('"Chats" lists this tab\'s chats (newest first, first visitor message as title, unread dot); picking one switches to it', async () => {
    await mount();
    client.setState({
      currentChatId: 'b',
      messages: [],
      chats: [
        chat('a', 'Where is my order?', '2026-01-01T10:00:00Z', 2),
        chat('b', '', '2026-01-02T10:00:00Z'),
        chat('c', 'Returns', '2026-01-01T09:00:00Z'),
      ],
    });
    await settle();
    // Another chat holds unread answers: the header button says so, and shows a dot.
    const toggle = button('Chats, unread')!;
    expect(toggle.hasAttribute('data-dot')).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await settle();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const items = [...shadow().querySelectorAll('nav.cl li button')];
    expect(items.map((b) => b.querySelector('.ct')!.textContent)).toEqual(['New conversation', 'Where is my order?', 'Returns']);
    expect(items[0]!.getAttribute('aria-current')).toBe('true');
    expect(items[1]!.querySelector('.dot')!.textContent).toBe('unread');
    expect(items[2]!.querySelector('.dot')).toBeNull();
    expect(shadow().activeElement).toBe(items[0]);
    expect(textbox()).toBeNull();
    (items[1] as HTMLButtonElement).click();
    await settle();
    expect(client.calls.switchChat).toEqual(['a']);
    expect(shadow().querySelector('nav.cl')).toBeNull();
    expect(messages().map(textOf)).toEqual(['You: Where is my order?']);
    expect(shadow().activeElement).toBe(textbox());
  });

  it('Escape in the list goes back to the chat, not out of the window', async () => {
    await mount();
    button('Chats')!.click();
    await settle();
    key(shadow().querySelector('nav.cl button') ?? shadow().querySelector('nav.cl')!, 'Escape');
    await settle();
    expect(shadow().querySelector('nav.cl')).toBeNull();
    expect(dialog()).toBeDefined(); // still open
  });
});
