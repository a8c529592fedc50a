// Inline mode and the teaser, on a page served with the strict CSP and Trusted Types: the chat inside
// the page's element (filling it, on a desktop and on a phone), no request before the visitor reaches
// for it; the teaser's delay, click, Dismiss and reload.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SUBPIXEL } from '../helpers/layout';
import { chatLog, composer, dialog, launcher, messages, sendMessage, uniqueText, useStack, VISITORS } from './harness';

const env = useStack();
const TEASER = 'Need help choosing a bike?';

const region = (page: Page) => page.getByRole('region', { name: 'Acme support' });
const teaser = (page: Page) => page.getByRole('button', { name: TEASER, exact: true });
/** The element's box once the widget's entrance animations have ended (the teaser slides up as it appears). */
const settledBox = async (target: Locator) => {
  await target.evaluate((element) =>
    Promise.all((element.getRootNode() as ShadowRoot).getAnimations().map((animation) => animation.finished)),
  );
  return target.boundingBox();
};
const dismiss = (page: Page) => page.getByRole('button', { name: 'Dismiss', exact: true });
/** The chat API requests the backend has seen (its own QA requests aside). */
const apiRequests = async () => (await env.stack.log()).filter((entry) => entry.path.startsWith('/api/'));
/** What the page stored, in both storages. */
const storedKeys = (page: Page) =>
  page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((key) => key.startsWith('chatsdk:')));
/** Two idle periods of the page: the widget's idle-time work (loading, building) has run. */
const idle = (page: Page) =>
  page.evaluate(() => new Promise((done) => requestIdleCallback(() => requestIdleCallback(done, { timeout: 2000 }), { timeout: 2000 })));
/**
 * When the teaser was first drawn, in ms since the page's navigation began (looked for in every frame, for up
 * to 10 s; -1 if it never came). The delay starts after navigation, so a teaser that waits cannot be earlier.
 */
const teaserSeenAt = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((done) => {
        setTimeout(() => done(-1), 10_000);
        const look = () => {
          const shown = document.querySelector('chat-sdk-widget')?.shadowRoot?.querySelector('[part~="teaser"]');
          if (shown && shown.getClientRects().length > 0) done(performance.now());
          else requestAnimationFrame(look);
        };
        look();
      }),
  );
/** The page's clock moves on `seconds` (a wait for a time-out that must pass without the teaser). */
const pass = (page: Page, seconds: number) => page.evaluate((ms) => new Promise((done) => setTimeout(done, ms)), seconds * 1000);

describe('inline mode (strict CSP)', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 667 },
  ]) {
    it(`renders in the element and fills it, a region with no launcher or Close, no request until the composer is focused (${viewport.width} px)`, async () => {
      const { stack, page } = env;
      await page.setViewportSize(viewport);
      await page.goto(stack.strictUrl({ target: '#support-chat' }));
      await composer(page).waitFor({ state: 'visible' });
      const boxes = await page.evaluate(() => {
        const box = (element: Element) => element.getBoundingClientRect().toJSON() as DOMRect;
        const host = document.querySelector('#support-chat chat-sdk-widget')!;
        const window = host.shadowRoot!.querySelector('[part=window]')!;
        const target = document.querySelector('#support-chat')!;
        // The page's element, inside its border and padding (the hostile CSS gives every div both).
        const inner = box(target);
        const { paddingLeft, paddingTop } = getComputedStyle(target);
        inner.x += target.clientLeft + parseFloat(paddingLeft);
        inner.y += target.clientTop + parseFloat(paddingTop);
        inner.width = target.clientWidth - 2 * parseFloat(paddingLeft);
        inner.height = target.clientHeight - 2 * parseFloat(paddingTop);
        return {
          target: { x: inner.x, y: inner.y, width: inner.width, height: inner.height },
          window: (({ x, y, width, height }) => ({ x, y, width, height }))(box(window)),
          radius: getComputedStyle(window).borderTopLeftRadius,
          font: getComputedStyle(host.shadowRoot!.querySelector('textarea')!).fontFamily,
        };
      });
      // clientWidth and clientLeft are whole pixels, the window's box is not: each edge within SUBPIXEL.
      for (const edge of ['x', 'y', 'width', 'height'] as const) {
        expect(
          Math.abs(boxes.window[edge] - boxes.target[edge]),
          `window ${edge} ${boxes.window[edge]} vs ${boxes.target[edge]}`,
        ).toBeLessThanOrEqual(SUBPIXEL);
      }
      expect(boxes.font).not.toMatch(/Comic/);
      // Not the phone's full-screen window (square corners, safe-area padding): a part of the page.
      expect(boxes.radius).toBe('16px');
      expect(await region(page).isVisible()).toBe(true);
      expect(await dialog(page).count()).toBe(0);
      expect(await launcher(page).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Close chat' }).count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
      await idle(page);
      expect(await apiRequests()).toEqual([]);
      // The client is running (this tab's id is kept), but no visitor and no chat exist yet.
      expect((await storedKeys(page)).filter((key) => !key.startsWith('chatsdk:tab:'))).toEqual([]);

      await composer(page).focus();
      await expect.poll(() => stack.count('POST', VISITORS)).toBe(1);
      await page.keyboard.press('Escape');
      const text = uniqueText('inline');
      await sendMessage(page, text);
      await messages(page, 'assistant').last().waitFor();
      await expect.poll(() => messages(page, 'assistant').last().getAttribute('data-status')).toBe('sent');
      expect(await region(page).isVisible()).toBe(true);
      expect(await chatLog(page).isVisible()).toBe(true);
      expect(stack.stored(text)).toBe(1);
      expect(await stack.problemsOf(page)).toEqual([]);
    });
  }
});

describe('the teaser (strict CSP)', () => {
  it('shows after its delay with nothing requested or stored; a click opens the chat; opened without sending, the next page view shows it again', async () => {
    const { stack, page } = env;
    await page.goto(stack.strictUrl({ teaser: TEASER, 'teaser-delay': '1' }));
    // Measured in the page: how long the round trip to the test took does not matter. (5 ms: timer rounding.)
    expect(await teaserSeenAt(page)).toBeGreaterThanOrEqual(1000 - 5);
    await teaser(page).waitFor({ state: 'visible' });
    expect(await apiRequests()).toEqual([]);
    expect(await storedKeys(page)).toEqual([]);
    expect(await teaser(page).evaluate((element) => getComputedStyle(element).fontFamily)).not.toMatch(/Comic/);
    // Beside the launcher, on its inner side, bottom-aligned near it.
    const [tease, bubble] = await Promise.all([settledBox(teaser(page)), settledBox(launcher(page))]);
    expect(tease!.x + tease!.width).toBeLessThan(bubble!.x);
    expect(tease!.y + tease!.height).toBeLessThanOrEqual(bubble!.y + bubble!.height + SUBPIXEL);
    // After the launcher in keyboard order.
    await launcher(page).focus();
    await page.keyboard.press('Tab');
    expect(await teaser(page).evaluate((element) => element.matches(':focus'))).toBe(true);

    await teaser(page).click();
    await composer(page).waitFor({ state: 'visible' });
    expect(await teaser(page).count()).toBe(0);
    await page.reload();
    await teaser(page).waitFor({ state: 'visible' });
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('Dismiss hides it for the tab: written to sessionStorage then, and not shown after a reload', async () => {
    const { stack, page } = env;
    await page.goto(stack.strictUrl({ teaser: TEASER, 'teaser-delay': '0', position: 'left' }));
    await teaser(page).waitFor({ state: 'visible' });
    const [tease, bubble] = await Promise.all([settledBox(teaser(page)), settledBox(launcher(page))]);
    expect(tease!.x).toBeGreaterThan(bubble!.x + bubble!.width);
    expect(await storedKeys(page)).toEqual([]);
    await dismiss(page).click();
    expect(await teaser(page).count()).toBe(0);
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('chatsdk:teaser:')))).toHaveLength(1);
    await page.reload();
    await launcher(page).waitFor();
    await pass(page, 1);
    expect(await teaser(page).count()).toBe(0);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it('once the tab has a conversation, a reload shows none', async () => {
    const { stack, page } = env;
    await page.goto(stack.strictUrl({ teaser: TEASER, 'teaser-delay': '0' }));
    await launcher(page).click();
    await sendMessage(page, uniqueText('teaser'));
    await messages(page, 'assistant').last().waitFor();
    await page.reload();
    await launcher(page).waitFor();
    await pass(page, 1);
    expect(await teaser(page).count()).toBe(0);
    expect(await stack.problemsOf(page)).toEqual([]);
  });

  it("on a phone it stays in the launcher's corner, beside it", async () => {
    const { stack, page } = env;
    await page.setViewportSize({ width: 375, height: 667 });
    await page.goto(stack.strictUrl({ teaser: 'A rather long invitation: '.repeat(8), 'teaser-delay': '0' }));
    const invitation = page.locator('chat-sdk-widget').getByRole('button', { name: /^A rather long invitation/ });
    await invitation.waitFor({ state: 'visible' });
    const [tease, bubble] = await Promise.all([settledBox(invitation), settledBox(launcher(page))]);
    expect(tease!.x + tease!.width).toBeLessThan(bubble!.x);
    expect(tease!.width).toBeLessThanOrEqual(375 * 0.6);
    // At most three lines: the bottom of the screen, not the page's content.
    expect(tease!.y).toBeGreaterThan(667 - 160);
    expect(tease!.y + tease!.height).toBeLessThanOrEqual(bubble!.y + bubble!.height + SUBPIXEL);
  });

  it('respects reduced motion: no animation', async () => {
    const { stack, page } = env;
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(stack.strictUrl({ teaser: TEASER, 'teaser-delay': '0' }));
    await teaser(page).waitFor({ state: 'visible' });
    const animation = await page.evaluate(
      () => getComputedStyle(document.querySelector('chat-sdk-widget')!.shadowRoot!.querySelector('[part=teaser]')!).animationName,
    );
    expect(animation).toBe('none');
  });
});
