// Lead capture, attachments, the conversation list and sign-out in Chromium against the reference
// backend: the after-first-message contact form (and not asked again after a reload), an image upload
// shown as a thumbnail the server serves, a slow upload cancelled, switching chats while an answer
// streams, answer feedback, and reset() leaving no visitor data in storage.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SUBPIXEL } from '../helpers/layout';
import { button, composer, messages, openChat, poll, sendMessage, transcript, uniqueText, useStack } from './harness';

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const field = (page: Page, name: 'Name' | 'Email' | 'Phone') => page.getByRole('textbox', { name, exact: true });
const named = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** The chatsdk:* keys left in the page's storage. */
/** What the widget stored about the visitor (the tab's own id, which names no one, aside). */
const storedKeys = (page: Page) =>
  page.evaluate(() =>
    [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith('chatsdk:') && !k.startsWith('chatsdk:tab:')),
  );
/** Wait until nothing is sending or streaming. */
const settled = (page: Page, count: number) =>
  poll(async () => {
    const all = await transcript(page);
    return all.length === count && all.every((m) => m.status === 'sent');
  }, 20_000).toBe(true);

describe('visitor features against the reference backend', () => {
  const env = useStack();

  it('after-first-message contact form: the message goes out, the form asks, checks the email, saves the visitor; not asked after a reload', async () => {
    const { stack, page } = env;
    const url = stack.initUrl({ contactForm: 'after-first-message', contactFields: 'name,email' });
    const extras: string[] = [];
    page.on('requestfinished', (request) => void (request.url().endsWith('/chat-sdk-features.js') && extras.push(request.url())));
    await page.goto(url);
    await openChat(page);
    const text = uniqueText('Do you ship to Lviv?');
    await sendMessage(page, text);
    await field(page, 'Name').waitFor();
    // The form shows as the message leaves; it reaches the backend once, while the form asks.
    await expect.poll(() => stack.stored(text)).toBe(1);
    await expect.poll(() => composer(page).isDisabled()).toBe(true);

    await field(page, 'Name').fill('Ada Lovelace');
    await field(page, 'Email').fill('ada@example');
    await field(page, 'Email').blur();
    await page.getByText('Enter an email address like name@example.com.').waitFor();
    await field(page, 'Email').fill('ada@example.com');
    await named(page, 'Continue').click();
    await page.getByRole('status').filter({ hasText: 'Thank you! We will reach you there.' }).waitFor();
    expect(await field(page, 'Name').count()).toBe(0);
    await expect.poll(() => composer(page).isEnabled()).toBe(true);

    const { visitorId } = stack.storedIn(text)!;
    const visitor = stack.api.state.store.visitors.get(visitorId!)!;
    expect(visitor.metadata).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com' });
    // The form came from the optional features' file, fetched once, next to the script.
    expect(extras).toEqual([new URL('/dist/chat-sdk-features.js', url).href]);

    await page.reload();
    await openChat(page);
    await messages(page, 'visitor', text).waitFor();
    expect(await field(page, 'Name').count()).toBe(0);
    expect(await composer(page).isEnabled()).toBe(true);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('an image upload: progress, sent with the message, shown as a thumbnail served by the backend; the answer names the file', async () => {
    const { stack, page } = env;
    await page.goto(stack.initUrl({ attachments: true }));
    await openChat(page);
    await page.locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('.tr [data-state=done]').waitFor();
    const text = uniqueText('here is the photo');
    await sendMessage(page, text);
    await settled(page, 2);

    const thumbnail = messages(page, 'visitor', text).getByRole('img', { name: 'photo.png' });
    await thumbnail.waitFor();
    await poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    const src = await thumbnail.getAttribute('src');
    expect(src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/chats\/attachments\/[^/]+\/photo\.png$/);
    expect(await messages(page, 'assistant').last().innerText()).toContain('I got your file photo.png');
    const [stored] = [...stack.api.state.store.attachments.values()];
    expect(stored).toMatchObject({ name: 'photo.png', content_type: 'image/png', size: PNG.length });
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('a slow upload shows its progress bar and can be cancelled; a failed one is retried; the text goes out meanwhile', async () => {
    const { stack, page } = env;
    // Held far longer than a send and its answer take on any machine; Cancel aborts it, and so does closing the page.
    await stack.fault('upload-slow', { seconds: 60 });
    await page.goto(stack.initUrl({ attachments: true }));
    await openChat(page);
    await page.locator('input[type=file]').setInputFiles({ name: 'slow.png', mimeType: 'image/png', buffer: PNG });
    await page.getByRole('progressbar', { name: 'Uploading slow.png' }).waitFor();
    const text = uniqueText('text does not wait');
    await sendMessage(page, text);
    await settled(page, 2);
    await named(page, 'Cancel: slow.png').click();
    expect(await page.getByRole('progressbar').count()).toBe(0);
    await poll(async () => (await stack.log()).some((e) => e.path === '/api/chats/attachments/' && /aborted/.test(e.note ?? ''))).toBe(
      true,
    );

    await stack.fault('normal');
    await stack.fault('upload-500-next');
    await page.locator('input[type=file]').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: PNG });
    await page.getByText('Upload failed.').waitFor();
    await named(page, 'Retry').click();
    await page.locator('.tr [data-state=done]').waitFor();
    expect(await stack.count('POST', '/api/chats/attachments/', 201)).toBe(1);
  });

  it('switching chats keeps a streaming answer going; the list shows both chats and the finished one gets its dot', async () => {
    const { stack, page } = env;
    await page.goto(stack.plainUrl);
    await openChat(page);
    const first = uniqueText('Tell me a long story');
    await sendMessage(page, first);
    await poll(async () => (await transcript(page)).some((m) => m.author === 'assistant' && m.status === 'streaming')).toBe(true);
    await button(page, 'New chat').click();
    await poll(async () => (await transcript(page)).length).toBe(0);
    const second = uniqueText('Second question: which frame size fits a tall rider on a gravel bike');
    await sendMessage(page, second);
    await settled(page, 2);

    await named(page, 'Chats').click();
    const list = page.getByRole('navigation', { name: 'Chats' });
    const entries = list.getByRole('button');
    await poll(() => entries.count()).toBe(2);
    const firstEntry = entries.filter({ hasText: first });
    // A title longer than the row is cut with an ellipsis inside it: the time beside it stays readable.
    for (const entry of await entries.all()) {
      const row = (await entry.boundingBox())!;
      const time = (await entry.locator('time').boundingBox())!;
      const title = await entry
        .locator('.ct')
        .evaluate((el) => ({ right: el.getBoundingClientRect().right, clipped: el.scrollWidth > el.clientWidth }));
      expect(title.right).toBeLessThanOrEqual(time.x + SUBPIXEL);
      expect(time.x + time.width).toBeLessThanOrEqual(row.x + row.width + SUBPIXEL);
      if (title.clipped) expect(await entry.locator('.ct').evaluate((el) => getComputedStyle(el).textOverflow)).toBe('ellipsis');
    }
    // The first chat's answer finishes while the visitor is in the second one: it gets an unread dot.
    await firstEntry.getByText('unread').waitFor({ timeout: 20_000 });
    expect(await entries.filter({ hasText: second }).getAttribute('aria-current')).toBe('true');
    await firstEntry.click();
    await messages(page, 'visitor', first).waitFor();
    const story = await transcript(page);
    expect(story.map((m) => `${m.author}:${m.status}`)).toEqual(['visitor:sent', 'assistant:sent']);
    expect(story[1]!.text).toContain('Pressing Stop now');
    expect(stack.stored(first)).toBe(1);
  });

  it('feedback: Helpful is sent once to the answer and shown as given', async () => {
    const { stack, page } = env;
    await page.goto(stack.initUrl({ feedback: true }));
    await openChat(page);
    const text = uniqueText('rate me');
    await sendMessage(page, text);
    await settled(page, 2);
    await named(page, 'Helpful').click();
    await poll(() => named(page, 'Helpful').getAttribute('aria-pressed')).toBe('true');
    expect(await named(page, 'Helpful').isDisabled()).toBe(true);
    const { sessionId } = stack.storedIn(text)!;
    const rated = (stack.api.state.store.messages.get(sessionId) ?? []).filter((m) => m.feedback);
    expect(rated.map((m) => m.feedback?.rating)).toEqual(['up']);
  });

  it('reset() (sign-out): no visitor data left in storage, the transcript is gone, the next message starts a new visitor', async () => {
    const { stack, page } = env;
    await page.goto(stack.initUrl({}));
    await openChat(page);
    const text = uniqueText('before sign-out');
    await sendMessage(page, text);
    await settled(page, 2);
    expect((await storedKeys(page)).length).toBeGreaterThan(0);
    const before = stack.storedIn(text)!.visitorId;

    await page.evaluate(() => (window as unknown as { ChatSDK: { push(c: unknown[]): void } }).ChatSDK.push(['reset']));
    await poll(async () => (await transcript(page)).length).toBe(0);
    expect(await storedKeys(page)).toEqual([]);

    const after = uniqueText('after sign-out');
    await sendMessage(page, after);
    await settled(page, 2);
    expect(stack.storedIn(after)!.visitorId).not.toBe(before);
    expect(await stack.problemsOf(page)).toEqual([]);
  });
});
