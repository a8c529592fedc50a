// What only some sites turn on, in Firefox or WebKit against the reference backend: the contact form, an
// attachment (uploaded with progress, shown as a thumbnail the backend serves), feedback, the conversation list.

import { describe, expect, it } from 'vitest';
import {
  button,
  click,
  firstExchange,
  inPage,
  isShown,
  lines,
  openChat,
  poll,
  problems,
  sendMessage,
  transcript,
  uniqueText,
  waitFor,
} from './dom';
import type { EnginePage } from './drivers';
import { ENGINE, useEngine } from './setup';

const field = (name: 'Name' | 'Email') => ({ role: 'textbox' as const, name });
const composerDisabled = (page: EnginePage) =>
  inPage(page, () => document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector('textarea')?.disabled ?? null);

/** Drop a 1x1 PNG named `name` on the chat window, as a visitor dragging a file from the desktop does. */
const dropImage = (page: EnginePage, name: string) =>
  inPage(
    page,
    (fileName: string) => {
      const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], fileName, { type: 'image/png' }));
      const target = document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector('[role="dialog"]')!;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, composed: true }));
      }
    },
    name,
  );

describe(`${ENGINE}: the contact form, attachments, feedback and the conversation list`, () => {
  const env = useEngine();

  it('after-first-message contact form: the message goes out, the form asks and checks the email, the visitor is saved; not asked after a reload', async () => {
    const { page, stack } = env;
    await page.goto(stack.initUrl({ contactForm: 'after-first-message', contactFields: 'name,email' }));
    await openChat(page);
    const text = uniqueText('Do you ship to Lviv?');
    await sendMessage(page, text);
    await waitFor(page, field('Name'));
    await poll(() => stack.stored(text)).toBe(1);
    await poll(() => composerDisabled(page)).toBe(true);

    await click(page, field('Name'));
    await page.type('Ada Lovelace');
    await click(page, field('Email'));
    await page.type('ada@example');
    await page.press('Tab'); // leaving the field checks it
    await waitFor(page, { css: '*', text: 'Enter an email address like name@example.com.', last: true });
    await click(page, field('Email'));
    await page.type('.com');
    await click(page, button('Continue'));
    await waitFor(page, { role: 'status', text: 'Thank you! We will reach you there.' });
    expect(await isShown(page, field('Name'))).toBe(false);
    await poll(() => composerDisabled(page)).toBe(false);
    const { visitorId } = stack.storedIn(text)!;
    expect(stack.api.state.store.visitors.get(visitorId!)?.metadata).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(await problems(page)).toEqual([]);

    await page.reload();
    await openChat(page);
    await poll(async () => (await transcript(page)).some((m) => m.author === 'visitor' && m.text.includes(text))).toBe(true);
    expect(await isShown(page, field('Name'))).toBe(false);
    expect(await composerDisabled(page)).toBe(false);
    expect(await problems(page)).toEqual([]);
  });

  it('an image dropped on the window uploads, goes out with the message and shows as a thumbnail; Helpful is sent once', async () => {
    const { page, stack } = env;
    await page.goto(stack.initUrl({ attachments: true, feedback: true }));
    await openChat(page);
    await dropImage(page, 'photo.png');
    await waitFor(page, { css: '.tr [data-state="done"]' });
    const text = await firstExchange(page, 'here is the photo');
    expect((await transcript(page))[1]!.text).toContain('I got your file photo.png');
    const thumbnail = () =>
      inPage(page, () => {
        const img = document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector<HTMLImageElement>('[data-author="visitor"] img');
        return img ? { alt: img.alt, width: img.complete ? img.naturalWidth : 0, src: img.getAttribute('src') } : null;
      });
    await poll(() => thumbnail().then((t) => t && `${t.alt}:${t.width}`)).toBe('photo.png:1');
    expect((await thumbnail())!.src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/chats\/attachments\/[^/]+\/photo\.png$/);

    await click(page, button('Helpful'));
    const pressed = () =>
      inPage(
        page,
        () =>
          document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector('button[aria-pressed="true"]')?.getAttribute('aria-label') ??
          null,
      );
    await poll(pressed).toBe('Helpful');
    const { sessionId } = stack.storedIn(text)!;
    await poll(() => (stack.api.state.store.messages.get(sessionId) ?? []).filter((m) => m.feedback?.rating === 'up').length).toBe(1);
    expect(await problems(page)).toEqual([]);
  });

  it('conversation list: an answer keeps streaming in the chat left for a new one, gets its unread mark, and the list leads back to it', async () => {
    const { page, stack } = env;
    await page.goto(stack.tagUrl());
    await openChat(page);
    const first = uniqueText('Tell me a long story');
    await sendMessage(page, first);
    await poll(async () => (await transcript(page)).some((m) => m.author === 'assistant' && m.status === 'streaming')).toBe(true);
    await click(page, button('New chat'));
    await poll(async () => (await transcript(page)).length).toBe(0);
    const second = await firstExchange(page, 'Second question about frame sizes');

    await click(page, button('Chats'));
    const list = { role: 'navigation' as const, name: 'Chats' };
    await waitFor(page, list);
    const entries = () =>
      inPage(page, () =>
        [...document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelectorAll('nav button')].map((b) => ({
          text: b.textContent ?? '',
          current: b.getAttribute('aria-current'),
        })),
      );
    await poll(async () => (await entries()).length).toBe(2);
    expect((await entries()).find((e) => e.text.includes(second))?.current).toBe('true');
    // The first chat's answer finishes while the visitor is in the second one: its entry is marked unread.
    await poll(async () => (await entries()).find((e) => e.text.includes(first))?.text.includes('unread'), 20_000).toBe(true);
    await click(page, { role: 'button', within: 'nav', text: first });
    await poll(() => lines(page)).toEqual(['visitor:sent', 'assistant:sent']);
    const story = await transcript(page);
    expect(story[0]!.text).toContain(first);
    expect(story[1]!.text).toContain('Pressing Stop now');
    expect(stack.stored(first)).toBe(1);
    expect(await problems(page)).toEqual([]);
  });
});
