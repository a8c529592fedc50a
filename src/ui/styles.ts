// All widget CSS, written minified (it ships as is). Applied through a constructable stylesheet (no
// `style-src` needed); px only, so the host's `html { font-size }` cannot scale the widget.
// Theme through custom properties on the host (page CSS or `data-primary-color`): --chat-primary,
// --chat-on-primary, --chat-radius, --chat-font, --chat-bg, --chat-fg, --chat-muted, --chat-bubble,
// --chat-border, --chat-gap, --chat-z. Inside, they map to short private names (--p, --o, --r, --f,
// --b, --g, --m, --u, --e) with the defaults as fallbacks; dark mode swaps the fallbacks.
// Bubbles (.bb) have content-visibility:auto: off-screen ones skip layout and paint in a long conversation,
// and a growing answer's layout stays inside its own bubble (containment).
//
// Class names are short because they ship in every file that uses them. What each one is:
//   .r   the root box (theme)            .l   the launcher          .b   its unread badge
//   .w   the window                      .h   its header            .t   the title
//   .ib  an icon button (header)         .sb  Send                 .st  Stop
//   .cs  the connection status           .mw  the log's wrapper    .m   the log
//   .msg a message                       .an  an agent's name row  .av  an avatar
//   .bb  a message bubble                .md  Markdown in a bubble .meta the line under a message
//   .rt  a text button (Retry, ...)      .d   typing dots          .pill "New messages"
//   .al  an alert line (.ok: success)    .c   the composer         .sr  for screen readers only
//   .fc  a file chip (a message's, the upload tray's)               .fn its name
//   .dot an unread dot                  .tz  the teaser               .tt its text  .tx its Dismiss
// The conversation list's classes are in window/chat-list.tsx, a message's files' in window/files.tsx,
// tables' and Copy code's in markdown/rich-blocks.tsx, the optional features' in features/styles.ts: each
// part's CSS comes with it, into the same shadow root, so a part never reuses a name from this legend.

/** Phones: the window fills the screen and follows the visual viewport (launcher.ts). */
export const SMALL_SCREEN = '(max-width:480px)';

const theme = (bg: string, fg: string, muted: string, bubble: string, border: string, err: string, scheme: string) =>
  `--b:var(--chat-bg,${bg});color:var(--chat-fg,${fg});--m:var(--chat-muted,${muted});--u:var(--chat-bubble,${bubble});--e:var(--chat-border,${border});--x:${err};color-scheme:${scheme}`;
const dark = /* @__PURE__ */ theme('#1c1e22', '#e9ebee', '#a4aab4', '#2c2f35', '#363a41', '#ff8a80', 'dark');

/**
 * The host, theme and launcher: drawn at start-up. A function, so a build without the launcher (the app)
 * drops it: a template literal that calls theme() would stay there, unused.
 */
export const launcherCss = (): string => `:host{all:initial!important}
.r{--p:var(--chat-primary,#2563eb);--o:var(--chat-on-primary,#fff);--g:var(--chat-gap,20px);font:14px/1.45 var(--chat-font,system-ui,sans-serif);${theme('#fff', '#1d2025', '#5c6370', '#f0f2f5', '#e3e6ea', '#c62828', 'light')}}
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])) .r{${dark}}}
:host([data-theme=dark]) .r{${dark}}
*{box-sizing:border-box}
[hidden]{display:none!important}
button{font:inherit;color:inherit;background:none;border:0;margin:0;padding:0;cursor:pointer;display:grid;place-items:center;flex:none}
:focus-visible{outline:2px solid var(--p);outline-offset:2px}
.l,.w,.tz{position:fixed;bottom:var(--g);right:var(--g);z-index:var(--chat-z,2147483000)}
:host([data-position=left]) :is(.l,.w,.tz){right:auto;left:var(--g)}
.l,.sb,.pill{background:var(--p);color:var(--o)}
.l{width:56px;height:56px;border-radius:50%;box-shadow:0 4px 14px #0004}
.l svg{width:26px}
.l[aria-busy]{cursor:progress;opacity:.8}
.b{position:absolute;top:-3px;right:-3px;min-width:20px;padding:0 6px;border-radius:10px;background:#d93025;color:#fff;font-size:12px;font-weight:600;line-height:20px;box-shadow:0 0 0 2px var(--b)}
svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
:host([data-inline]),:host([data-inline]) :is(.r,.r>div){display:block!important;height:100%!important}
.tz{margin:0 68px 8px;display:flex;align-items:flex-start;max-width:260px;border:1px solid var(--e);border-radius:14px;background:var(--b);box-shadow:0 4px 18px #0003;animation:t .3s}
.tt{flex:auto;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden;text-align:start;padding:8px 2px;padding-inline-start:12px}
.tx{width:32px;height:32px;border-radius:50%;color:var(--m)}
.tx svg{width:14px}
@keyframes t{0%{opacity:0;transform:translateY(8px)}}
@media ${SMALL_SCREEN}{.l{inset:calc(var(--chat-vy,0px) + var(--chat-vh,100%) - 56px - var(--g)) auto auto calc(var(--chat-vx,0px) + var(--chat-vw,100%) - 56px - var(--g))}.tz{inset:auto calc(100% - var(--chat-vx,0px) - var(--chat-vw,100%) + var(--g)) calc(100% - var(--chat-vy,0px) - var(--chat-vh,100%) + var(--g)) auto;max-width:60vw}:host([data-position=left]) :is(.l,.tz){left:calc(var(--chat-vx,0px) + var(--g))}}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}`;

/** The window: added when it is attached (launcher.ts, mount.tsx). */
export const windowCss = `:host([data-inline]) .w{position:static;width:auto;height:100%;box-shadow:none;border:1px solid var(--e);animation:none}
.w{width:380px;height:min(640px,100vh - 2*var(--g));display:flex;flex-direction:column;background:var(--b);border-radius:var(--chat-radius,16px);box-shadow:0 12px 48px #0004;overflow:hidden;animation:i .2s}
@keyframes i{0%{opacity:0;transform:translateY(12px)}}
.h{display:flex;align-items:center;gap:4px;padding:12px 10px;padding-inline-start:18px;background:var(--p);color:var(--o)}
.t{flex:1;margin:0;font-size:16px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.ib,.sb,.st{width:36px;height:36px;border-radius:50%}
.ib:hover{background:#8883}
.h svg{width:20px}
.h :focus-visible{outline-color:currentColor;outline-offset:-2px}
.mw{flex:1;position:relative;min-height:0}
.m{height:100%;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 8px;display:flex;flex-direction:column;gap:6px}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:85%}
[data-author=visitor]{align-self:flex-end;align-items:flex-end}
[data-author=system]{align-self:center;align-items:center;color:var(--m);font-size:13px}
[data-author=system] .bb{background:none;padding:0}
.an{display:flex;align-items:center;gap:6px;margin:0 4px 3px;font-size:12px;font-weight:600;color:var(--m)}
.av{width:24px;height:24px;border-radius:50%;object-fit:cover;display:grid;place-items:center;background:var(--p);color:var(--o)}
.cs{font-size:12px;opacity:.85;white-space:nowrap}
.bb{padding:9px 13px;border-radius:18px;border-end-start-radius:6px;background:var(--u);overflow-wrap:anywhere;max-width:100%;content-visibility:auto;contain-intrinsic-size:auto 40px}
[data-author=visitor] .bb{background:var(--p);color:var(--o);white-space:pre-wrap;border-end-start-radius:18px;border-end-end-radius:6px}
[data-status=queued] .bb,[data-status=sending] .bb{opacity:.75}
[data-status=failed] .bb{box-shadow:0 0 0 1.5px var(--x)}
.md *{margin:0}
.md>*,.md blockquote>*{margin-bottom:8px}
.md :last-child{margin-bottom:0}
.md :is(ul,ol){padding-inline-start:20px}
.md a{color:inherit;text-underline-offset:2px}
.md-dest{color:var(--m);font-size:.9em}
.md code{font:12.5px/1.45 ui-monospace,monospace;background:#8882;padding:1px 4px;border-radius:5px}
.md pre{padding:10px;border-radius:10px;background:#8882;overflow-x:auto;direction:ltr}
.md pre code{background:none;padding:0}
.meta{display:flex;align-items:center;gap:8px;margin:3px 4px;font-size:12px;color:var(--m)}
[data-status=failed] .meta,.al{color:var(--x)}
.rt{font-weight:600;color:var(--p);padding:2px 4px;text-decoration:underline}
.d{display:flex;gap:4px;padding:4px 0}
.d i{width:7px;height:7px;border-radius:50%;background:var(--m);opacity:.35;animation:d 1.2s infinite}
.d i+i{animation-delay:.15s}.d i+i+i{animation-delay:.3s}
@keyframes d{30%{opacity:1;transform:translateY(-3px)}60%{opacity:.35;transform:none}}
.pill{position:absolute;bottom:10px;left:50%;transform:translateX(-50%);padding:6px 14px;border-radius:16px;font-size:13px;font-weight:600;box-shadow:0 2px 10px #0003}
.al{margin:0 14px 6px;padding:8px 12px;border-radius:10px;background:#d9302519;font-size:13px}
.al:empty{display:none}
.c{display:flex;align-items:flex-end;gap:6px;padding:10px;padding-inline-start:14px;border-top:1px solid var(--e);padding-bottom:max(10px,env(safe-area-inset-bottom))}
.c:focus-within{box-shadow:inset 0 2px 0 -1px var(--p)}
.c textarea{flex:1;resize:none;border:0;outline:0;background:none;color:inherit;font:inherit;font-size:15px;line-height:20px;padding:8px 0;margin:0;max-height:140px;height:36px}
::placeholder{color:var(--m);opacity:1}
.sb:disabled{opacity:.4;cursor:default}
.st{box-shadow:inset 0 0 0 1.5px var(--e)}
.c svg{width:18px}
.st svg{fill:currentColor}
[dir=rtl] .sb svg{transform:scaleX(-1)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ib:disabled{opacity:.4;cursor:default}
.fc{display:inline-flex;align-items:center;gap:6px;max-width:100%;padding:4px 8px;border-radius:10px;border:1px solid var(--e);background:var(--b);font-size:12px;color:inherit;text-decoration:none}
.fn{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:170px}
.dot,.ib[data-dot]:after{width:8px;height:8px;border-radius:50%;background:#d93025}
.ib[data-dot]{position:relative}
.ib[data-dot]:after{content:"";position:absolute;top:5px;inset-inline-end:5px;box-shadow:0 0 0 2px var(--o)}
@media (forced-colors:active){.dot,.ib[data-dot]:after{forced-color-adjust:none;background:CanvasText;box-shadow:0 0 0 2px Canvas}}
textarea:disabled{cursor:not-allowed}
@media ${SMALL_SCREEN}{:host(:not([data-inline])) .w{inset:var(--chat-vy,0) auto auto var(--chat-vx,0)!important;width:var(--chat-vw,100%);height:var(--chat-vh,100%);border-radius:0;padding:env(safe-area-inset-top) env(safe-area-inset-right) 0 env(safe-area-inset-left)}.c textarea{font-size:16px}}`;
