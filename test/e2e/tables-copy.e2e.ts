// Tables and the Copy code button in a real browser, on the third-party page (strict CSP, Trusted Types,
// hostile CSS): the demo backend's "table" answer streams in with two tables and a code block.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composer, lastStatus, messages, openChat, poll, type Stack, startStack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const CODE = `curl -X POST https://shop.example/api/orders \\
  -H 'Content-Type: application/json' \\
  -d '{"model": "trail-500", "size": "M"}'`;

/** The embed page, a "table" question asked, its answer complete; which chat-sdk files the page fetched. */
async function tableAnswer(options: Parameters<Stack['context']>[0] = {}): Promise<{ page: Page; scripts: string[] }> {
  const context = await stack.context(options);
  const page = await stack.watch(await context.newPage());
  const scripts: string[] = [];
  page.on(
    'requestfinished',
    (request) => void (/\/chat-sdk[^/]*\.js$/.test(request.url()) && scripts.push(request.url().replace(/.*\//, ''))),
  );
  await page.goto(stack.embedUrl);
  await openChat(page);
  // Sent with Enter: on a phone the window is still sliding in.
  await composer(page).fill('Can I see a table of your bikes?');
  await composer(page).press('Enter');
  await poll(() => lastStatus(page, 'assistant')).toBe('sent');
  return { page, scripts };
}

const copyButton = (page: Page) => messages(page, 'assistant').last().getByRole('button', { name: 'Copy code' });

describe('tables and Copy code on the strict-CSP page', () => {
  it('a table answer shows real tables, with column headers a screen reader names cells by; the part loads on demand', async () => {
    const { page, scripts } = await tableAnswer();
    const answer = messages(page, 'assistant').last();
    await poll(() => answer.getByRole('table').count()).toBe(2);
    const first = answer.getByRole('table').first();
    expect(await first.getByRole('columnheader').allTextContents()).toEqual(['Model', 'Best for', 'Sizes', 'Price']);
    expect(await first.locator('th').evaluateAll((ths) => ths.map((th) => th.getAttribute('scope')))).toEqual(['col', 'col', 'col', 'col']);
    const rows = await first.getByRole('row').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows[1]).toEqual(['Trail 500', 'Forest paths and gravel', 'S–XL', '$1,249']);
    expect(rows[4]).toEqual(['Fold 20', 'Train and office | folds in 10 s', 'one size', '$899']);
    // Right-aligned prices, a centred size column.
    expect(await first.getByRole('cell', { name: '$1,249' }).evaluate((td) => getComputedStyle(td).textAlign)).toBe('right');
    expect(await first.getByRole('cell', { name: 'S–XL' }).evaluate((td) => getComputedStyle(td).textAlign)).toBe('center');
    expect(await first.getByRole('link', { name: 'up to 200 kg' }).getAttribute('href')).toBe('https://example.com/cargo');
    // The tables and the copy button came in one small file, fetched when the answer needed it.
    expect(scripts).toEqual(['chat-sdk.js', 'chat-sdk-app.js', 'chat-sdk-rich-blocks.js']);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('on a phone, a wide table scrolls sideways inside its bubble; the window and the page do not', async () => {
    const { page } = await tableAnswer({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
    const answer = messages(page, 'assistant').last();
    await poll(() => answer.getByRole('table').count()).toBe(2);
    const widths = await answer.evaluate((message) => {
      const box = message.querySelectorAll('.tw')[1]!;
      const log = message.closest('[role="log"]')!;
      return {
        box: box.clientWidth,
        table: box.scrollWidth,
        bubble: message.querySelector('.bb')!.getBoundingClientRect().width,
        log: [log.scrollWidth, log.clientWidth],
        boxRight: box.getBoundingClientRect().right,
      };
    });
    expect(widths.table, 'the wide table is wider than its box').toBeGreaterThan(widths.box);
    expect(widths.box).toBeLessThanOrEqual(Math.ceil(widths.bubble));
    expect(widths.log[0], 'the log does not scroll sideways').toBe(widths.log[1]);
    expect(widths.boxRight).toBeLessThanOrEqual(360);
    // The box scrolls, also from a keyboard: it is a region named by its columns that takes the focus.
    const box = answer.getByRole('region').nth(1);
    await box.focus();
    await page.keyboard.press('ArrowRight');
    await poll(() => box.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('Copy code is reached with the keyboard, copies the code exactly and says Copied for two seconds', async () => {
    const { page } = await tableAnswer();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(stack.embedUrl).origin });
    // From the composer, Shift+Tab goes back through the answer until the button has the focus.
    await composer(page).focus();
    const focusedName = () =>
      page.evaluate(() => {
        const active = document.querySelector('chat-sdk-widget')!.shadowRoot!.activeElement;
        return active?.tagName === 'BUTTON' ? active.textContent : active?.tagName;
      });
    for (let presses = 0; presses < 30 && (await focusedName()) !== 'Copy code'; presses++) await page.keyboard.press('Shift+Tab');
    expect(await focusedName()).toBe('Copy code');
    // Timed in the page, when the DOM changes: how long the test takes to look does not count.
    await page.evaluate(() => {
      const root = document.querySelector('chat-sdk-widget')!.shadowRoot!;
      const said: { on?: number; off?: number } = {};
      (window as unknown as { __copied: typeof said }).__copied = said;
      const copied = () => [...root.querySelectorAll('button')].some((b) => b.textContent === 'Copied');
      new MutationObserver(() => {
        const now = performance.now();
        if (copied()) said.on ??= now;
        else if (said.on !== undefined) said.off ??= now;
      }).observe(root, { subtree: true, childList: true, characterData: true });
    });
    await page.keyboard.press('Enter');
    await poll(() => messages(page, 'assistant').last().getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(CODE);
    await poll(() => copyButton(page).count(), 6000).toBe(1);
    const said = await page.evaluate(() => (window as unknown as { __copied: { on?: number; off?: number } }).__copied);
    expect(said.on, 'Copied shown').toBeDefined();
    expect(said.off, 'Copied gone').toBeDefined();
    // About two seconds.
    expect(said.off! - said.on!).toBeGreaterThanOrEqual(1900);
    expect(said.off! - said.on!).toBeLessThan(4000);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('where the Clipboard API is missing, the button says it could not copy', async () => {
    const { page } = await tableAnswer();
    await page.evaluate(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await copyButton(page).click();
    await poll(() => messages(page, 'assistant').last().getByRole('status').textContent()).toBe(
      'Could not copy: select the code and copy it yourself.',
    );
    expect(await messages(page, 'assistant').last().getByRole('status').isVisible()).toBe(true);
    expect(await stack.problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});
