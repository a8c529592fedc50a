// @ts-check
/**
 * Canned answers chosen by keywords in the visitor's message, each built to exercise one part of
 * the widget (Markdown, code, long scrolling, UTF-8 splitting, hostile content).
 */
import { formatSize } from './attachments.mjs';

/**
 * @typedef {object} Reply
 * @property {string} kind
 * @property {string} text
 * @property {boolean} splitBytes write each SSE event as two raw Buffers cut inside a multi-byte character
 * @property {boolean} lastInDone carry the last piece of text in the `done: true` event (as seed 003's example does)
 * @property {Pacing} [pacing] how it is streamed, when not a few words per chunk at the server's chunk delay
 * @property {string[]} [suggestions] follow-up questions offered with the answer (`suggestions` on the `done`
 *   event and on the plain answer)
 */

/**
 * @typedef {object} Pacing
 * @property {number} wordsPerChunk
 * @property {number} delayMs pause between ticks
 * @property {number} eventsPerTick events written back to back in each tick
 */

/** The message that asks for one huge paragraph (exactly this, case and surrounding spaces aside). */
export const LONG_PARAGRAPH_COMMAND = '/long';
/** Characters of that paragraph: streamed, and from the plain endpoint (over the client's 1 M-character answer limit). */
export const LONG_PARAGRAPH_CHARS = { stream: 600_000, plain: 2_000_000 };
/** About 100 characters a chunk (~6,000 chunks for the streamed one), three chunks a millisecond: a few seconds in all. */
const LONG_PARAGRAPH_PACING = { wordsPerChunk: 16, delayMs: 1, eventsPerTick: 3 };

const MARKDOWN = `Here is a tour of the **Markdown** I can send:

- **bold** and *italic* text, and \`inline code\`
- a link to [example](https://example.com)
- a bullet list (this one)

Steps in order:

1. Pick a bike
2. Choose a size
3. Check out

That's all the formatting a chat answer usually needs.`;

const CODE = `Sure, here is a small example:

\`\`\`js
// Retry a request with exponential backoff.
async function withRetry(fn, attempts = 3) {
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i === attempts - 1 || !(error instanceof TypeError)) throw error;
      await new Promise((r) => setTimeout(r, 300 * 2 ** i));
    }
  }
}

const ok = 1 < 2 && "<b>not bold</b>" !== '&amp;';
\`\`\`

Call it as \`withRetry(() => fetch(url))\`.`;

const TABLE = `Here are our bikes side by side:

| Model | Best for | Sizes | Price |
|:------|:---------|:-----:|------:|
| **Trail 500** | Forest paths and gravel | S–XL | $1,249 |
| City 3 | Commuting, with a \`rack\` and lights | S–L | $699 |
| Cargo Max | Kids, shopping, [up to 200 kg](https://example.com/cargo) | M | $3,490 |
| Fold 20 | Train and office \\| folds in 10 s | one size | $899 |

A wide one, to scroll sideways in a narrow window:

| Part | Trail 500 | City 3 | Cargo Max | Fold 20 | Notes for the workshop |
|---|---|---|---|---|---|
| Chain | KMC X11 | KMC Z8 | KMC e10 | KMC X9 | Check wear every 1,500 km with a chain checker |
| Tyres | 29×2.4" | 700×40c | 20×2.6" | 20×1.75" | Pressure printed on the sidewall; lower it off road |

To order from a script:

\`\`\`sh
curl -X POST https://shop.example/api/orders \\
  -H 'Content-Type: application/json' \\
  -d '{"model": "trail-500", "size": "M"}'
\`\`\`

Every code block has a **Copy code** button.`;

const LONG_TOPICS = [
  'frame sizes',
  'wheel sizes',
  'gearing',
  'brakes',
  'tyres and pressure',
  'saddles',
  'e-bike batteries',
  'servicing',
  'locks and security',
  'lights',
  'carrying luggage',
  'warranty',
];

const LONG = LONG_TOPICS.map(
  (topic, i) =>
    `**${i + 1}. About ${topic}.** This is paragraph ${i + 1} of ${LONG_TOPICS.length}, long on purpose so the ` +
    `transcript has to scroll while the answer streams. A good widget keeps the view pinned to the ` +
    `bottom while you are at the bottom, and leaves it alone when you have scrolled up to read. ` +
    `Pressing Stop now should keep everything that arrived so far and mark the answer as stopped.`,
).join('\n\n');

const UKRAINIAN = `Привіт! Я помічник магазину **Acme Bikes**.

Я можу допомогти:

- підібрати велосипед за зростом і стилем їзди;
- пояснити різницю між гравійними та шосейними моделями;
- розповісти про доставку й гарантію.

Що вас цікавить? Ґудзики, їжак, євро, ї — усе має відобразитися правильно.`;

const RUSSIAN = `Привет! Я помощник магазина **Acme Bikes**.

Чем могу помочь:

- подобрать велосипед по росту;
- рассказать о доставке и гарантии;
- объяснить, как ухаживать за цепью.

Съешь же ещё этих мягких французских булок, да выпей чаю.`;

const EMOJI = `Emoji and scripts, to test UTF-8 that is split across network chunks 🚲✨

- Family: 👩‍👩‍👧‍👦 and flags: 🇺🇦 🇯🇵 🏳️‍🌈
- Skin tones: 👍🏽 👋🏿
- 4-byte letters: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 𝟙𝟚𝟛
- Chinese: 自行车很好骑。 Japanese: 自転車に乗りましょう。 Korean: 자전거를 타요.
- Combining accents: café (e + ◌́), Zalgo-lite: a̐ e̾
- Right-to-left: مرحبا بكم and שלום

None of these should ever turn into the replacement character (U+FFFD).`;

const HOSTILE = `This answer is **hostile on purpose**. Nothing below may run, load or become a clickable dangerous link.

Raw HTML: <script>alert(1)</script> and <img src=x onerror=alert(1)> and <svg onload=alert(1)></svg>

An iframe: <iframe srcdoc="<script>alert(1)</script>"></iframe> and a form: <form action="https://evil.example"><input name=q></form>

An anchor tag: <a href="javascript:alert(1)">a</a>

Markdown links that must not be clickable:

- [click](javascript:alert(1))
- [x](JaVaScRiPt:alert(1))
- [tab](java\tscript:alert(1))
- [entity](&#106;avascript:alert(1))
- [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
- [vb](vbscript:msgbox(1))
- ![pixel](javascript:alert(1))

A normal link that should work: [Acme help centre](https://example.com/help).`;

/**
 * One paragraph of about `chars` characters (whole sentences, ASCII, no line break at all), numbered so a
 * tester can see how far it got.
 * @param {number} chars
 */
export function longParagraph(chars) {
  /** @type {string[]} */
  const sentences = [];
  let length = 0;
  for (let n = 1; length < chars; n++) {
    const sentence =
      `Sentence ${n} of one very long paragraph: the widget should keep rendering it, keep scrolling ` +
      `smoothly and stay responsive while it grows, with no blank line anywhere.`;
    sentences.push(sentence);
    length += sentence.length + 1;
  }
  return sentences.join(' ');
}

/**
 * Follow-up questions (at most 4, the client's limit), offered with the answers that show off the widget,
 * each naming another of them. The default answer offers none, so a plain chat shows none.
 */
const FOLLOW_UPS = {
  code: ['Show me Markdown', 'Send an emoji test'],
  markdown: ['Show me code', 'Send a long answer', 'Send an emoji test'],
};

/**
 * Keywords are matched case-insensitively anywhere in the message; the first rule that matches wins,
 * so "xss" beats everything (a hostile test must never be hidden by another keyword).
 * @type {Array<{ kind: string, words: string[], text: string, splitBytes?: boolean, lastInDone?: boolean, suggestions?: string[] }>}
 */
const RULES = [
  { kind: 'hostile', words: ['xss', 'html'], text: HOSTILE },
  { kind: 'emoji', words: ['emoji'], text: EMOJI, splitBytes: true },
  { kind: 'table', words: ['table'], text: TABLE },
  { kind: 'code', words: ['code'], text: CODE, suggestions: FOLLOW_UPS.code },
  { kind: 'markdown', words: ['markdown'], text: MARKDOWN, suggestions: FOLLOW_UPS.markdown },
  { kind: 'long', words: ['long'], text: LONG },
  { kind: 'ukrainian', words: ['привіт', 'ukrainian'], text: UKRAINIAN, splitBytes: true },
  { kind: 'russian', words: ['русский', 'привет'], text: RUSSIAN, splitBytes: true },
];

/**
 * The answer to a message: by keyword for its text, with a line first that names the files it
 * carried (so a tester sees the server really has them). A message of files only gets that line.
 * @param {string} message the visitor's text (may be blank when there are files)
 * @param {Array<{ name: string, size: number }>} [files]
 * @param {{ streaming?: boolean }} [how] the endpoint asked (`/long` is larger without streaming)
 * @returns {Reply}
 */
export function pickReply(message, files = [], { streaming = true } = {}) {
  if (files.length === 0) return pickTextReply(message, streaming);
  const receipt = receiptOf(files);
  if (message.trim() === '') {
    return {
      kind: 'attachment',
      text: `${receipt} What would you like me to do with ${files.length === 1 ? 'it' : 'them'}?`,
      splitBytes: false,
      lastInDone: false,
    };
  }
  const reply = pickTextReply(message, streaming);
  return { ...reply, text: `${receipt}\n\n${reply.text}` };
}

/** @param {Array<{ name: string, size: number }>} files */
function receiptOf(files) {
  const names = files.map((file) => `**${escapeMarkdown(file.name)}** (${formatSize(file.size)})`);
  if (names.length === 1) return `I got your file ${names[0]}.`;
  return `I got your ${names.length} files: ${names.slice(0, -1).join(', ')} and ${names.at(-1)}.`;
}

/**
 * A file name as literal Markdown text inside a line: the marks that mean something there are
 * backslash-escaped (CommonMark), so `*a*.png` or `[x](javascript:…).txt` shows as typed and cannot
 * become emphasis or a link. Dots and dashes stay as they are (they only matter at a line start).
 * @param {string} text
 */
function escapeMarkdown(text) {
  return text.replace(/[\\`*_[\]()<>!~&#|]/g, (c) => `\\${c}`);
}

/**
 * @param {string} message
 * @param {boolean} streaming
 * @returns {Reply}
 */
function pickTextReply(message, streaming) {
  const lower = message.toLowerCase();
  if (lower.trim() === LONG_PARAGRAPH_COMMAND) {
    const text = longParagraph(streaming ? LONG_PARAGRAPH_CHARS.stream : LONG_PARAGRAPH_CHARS.plain);
    return replyOfKind('long-paragraph', text);
  }
  for (const rule of RULES) {
    if (rule.words.some((word) => lower.includes(word))) return replyOfKind(rule.kind, rule.text);
  }
  return { kind: 'default', text: defaultReply(message), splitBytes: false, lastInDone: true };
}

/**
 * How an answer of this kind is sent (its text was decided when the question was stored).
 * @param {string} kind
 * @param {string} text
 * @returns {Reply}
 */
export function replyOfKind(kind, text) {
  if (kind === 'long-paragraph') return { kind, text, splitBytes: false, lastInDone: false, pacing: LONG_PARAGRAPH_PACING };
  const rule = RULES.find((r) => r.kind === kind);
  /** @type {Reply} */
  const reply = { kind, text, splitBytes: Boolean(rule?.splitBytes), lastInDone: kind === 'default' };
  if (rule?.suggestions) reply.suggestions = rule.suggestions;
  return reply;
}

/**
 * Friendly answer that quotes the question, so testers see their own text come back (user text ends
 * up inside bot Markdown, which is itself a realistic injection path).
 * @param {string} message
 */
function defaultReply(message) {
  const question = message.length > 200 ? `${message.slice(0, 200)}…` : message;
  const quoted = question
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return `Thanks for your question! You asked:

${quoted}

I'm the **Acme Bikes** demo assistant, so my answers are canned. Try one of these words to see what the widget can show:

- *markdown*, *code*, *table*, *long* or *emoji*
- *xss* for hostile content that must stay harmless
- \`/long\` by itself for one huge paragraph
- *привіт* (Ukrainian) or *привет* (Russian)

Anything else gets this answer.`;
}

/**
 * Cut a text into chunks of a few words, keeping every character (joining the chunks gives the text back).
 * @param {string} text
 * @param {number} [wordsPerChunk]
 * @returns {string[]}
 */
export function chunkText(text, wordsPerChunk = 3) {
  const tokens = text.match(/\s+|\S+\s*/g) ?? [];
  /** @type {string[]} */
  const chunks = [];
  for (let i = 0; i < tokens.length; i += wordsPerChunk) chunks.push(tokens.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}
