// All widget CSS. Applied through a constructable stylesheet (no `style-src` needed); px only, so the
// host's `html { font-size }` cannot scale the widget. Theme via custom properties on the host:
// --chat-primary, --chat-on-primary, --chat-radius, --chat-font, --chat-bg, --chat-fg, --chat-muted,
// --chat-bubble, --chat-border, --chat-gap, --chat-z.
const dark =
  '--chat-bg:#1c1e22;--chat-fg:#e9ebee;--chat-muted:#a4aab4;--chat-bubble:#2c2f35;--chat-border:#363a41;--chat-err:#ff8a80;color-scheme:dark';

export const css = `:host{all:initial!important}
:host{--chat-primary:#2563eb;--chat-on-primary:#fff;--chat-radius:16px;--chat-gap:20px;--chat-font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;--chat-bg:#fff;--chat-fg:#1d2025;--chat-muted:#5c6370;--chat-bubble:#f0f2f5;--chat-border:#e3e6ea;--chat-err:#c62828;color-scheme:light}
@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){${dark}}}
:host([data-theme=dark]){${dark}}
.r{font:14px/1.45 var(--chat-font);color:var(--chat-fg);-webkit-font-smoothing:antialiased}
*{box-sizing:border-box}
[hidden]{display:none!important}
button{font:inherit;color:inherit;background:none;border:0;margin:0;padding:0;cursor:pointer}
:focus-visible{outline:2px solid var(--chat-primary);outline-offset:2px}
.l,.w{position:fixed;bottom:var(--chat-gap);right:var(--chat-gap);z-index:var(--chat-z,2147483000)}
:host([data-position=left]) .l,:host([data-position=left]) .w{right:auto;left:var(--chat-gap)}
.l{width:56px;height:56px;border-radius:50%;background:var(--chat-primary);color:var(--chat-on-primary);display:grid;place-items:center;box-shadow:0 4px 14px rgba(0,0,0,.18),0 1px 3px rgba(0,0,0,.12);transition:transform .15s}
.l:hover{transform:scale(1.06)}
.l svg{width:26px;height:26px}
.b{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#d93025;color:#fff;font:600 12px/20px var(--chat-font);box-shadow:0 0 0 2px var(--chat-bg)}
.w{width:380px;height:min(640px,calc(100vh - 2*var(--chat-gap)));display:flex;flex-direction:column;background:var(--chat-bg);border-radius:var(--chat-radius);box-shadow:0 12px 48px rgba(0,0,0,.2),0 2px 8px rgba(0,0,0,.1);overflow:hidden;animation:in .18s ease-out}
@keyframes in{from{opacity:0;transform:translateY(12px)}}
.h{display:flex;align-items:center;gap:4px;padding:12px 10px;padding-inline-start:18px;background:var(--chat-primary);color:var(--chat-on-primary)}
.t{flex:1;margin:0;font:600 16px/1.3 var(--chat-font);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.ib{width:36px;height:36px;border-radius:10px;display:grid;place-items:center;flex:none}
.ib:hover{background:rgba(127,127,127,.18)}
.ib svg{width:20px;height:20px}
.h :focus-visible{outline-color:currentColor;outline-offset:-2px}
.mw{flex:1;position:relative;min-height:0}
.m{height:100%;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 8px;display:flex;flex-direction:column;gap:6px}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:85%}
.msg[data-author=visitor]{align-self:flex-end;align-items:flex-end}
.msg[data-author=system]{align-self:center;align-items:center;color:var(--chat-muted);font-size:13px}
.bb{padding:9px 13px;border-radius:18px;background:var(--chat-bubble);overflow-wrap:anywhere;max-width:100%}
.msg[data-author=visitor] .bb{background:var(--chat-primary);color:var(--chat-on-primary);white-space:pre-wrap;border-end-end-radius:6px}
.msg:not([data-author=visitor]) .bb{border-end-start-radius:6px}
.msg[data-status=queued] .bb,.msg[data-status=sending] .bb{opacity:.75}
.msg[data-status=failed] .bb{box-shadow:0 0 0 1.5px var(--chat-err)}
.bb p,.bb ul,.bb ol,.bb pre,.bb blockquote{margin:0 0 8px}
.bb>:last-child,.md>:last-child{margin-bottom:0}
.bb ul,.bb ol{padding-inline-start:20px}
.bb a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.bb code{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:rgba(127,127,127,.16);padding:1px 4px;border-radius:5px}
.bb pre{padding:10px;border-radius:10px;background:rgba(127,127,127,.14);overflow-x:auto}
.bb pre code{background:none;padding:0;white-space:pre}
.meta{display:flex;align-items:center;gap:8px;margin:3px 4px 4px;font-size:12px;color:var(--chat-muted)}
.msg[data-status=failed] .meta{color:var(--chat-err)}
.rt{font-weight:600;color:var(--chat-primary);padding:2px 4px;border-radius:6px;text-decoration:underline}
.d{display:flex;gap:4px;padding:4px 0}
.d i{width:7px;height:7px;border-radius:50%;background:var(--chat-muted);animation:b 1.2s infinite}
.d i:nth-child(2){animation-delay:.15s}.d i:nth-child(3){animation-delay:.3s}
@keyframes b{0%,60%,100%{opacity:.35;transform:none}30%{opacity:1;transform:translateY(-3px)}}
.pill{position:absolute;bottom:10px;left:50%;transform:translateX(-50%);padding:6px 14px;border-radius:16px;background:var(--chat-primary);color:var(--chat-on-primary);font-size:13px;font-weight:600;box-shadow:0 2px 10px rgba(0,0,0,.2)}
.al{margin:0 14px 6px;padding:8px 12px;border-radius:10px;background:rgba(217,48,37,.1);color:var(--chat-err);font-size:13px}
.al:empty{display:none}
.c{display:flex;align-items:flex-end;gap:6px;padding:10px;padding-inline-start:14px;border-top:1px solid var(--chat-border);padding-bottom:max(10px,env(safe-area-inset-bottom))}
.c textarea{flex:1;resize:none;border:0;outline:0;background:none;color:inherit;font:inherit;font-size:15px;line-height:20px;padding:8px 0;margin:0;max-height:140px;min-height:36px;height:36px}
.c textarea::placeholder{color:var(--chat-muted);opacity:1}
.c:focus-within{box-shadow:inset 0 2px 0 -1px var(--chat-primary)}
.sb,.st{width:36px;height:36px;border-radius:50%;display:grid;place-items:center;flex:none}
.sb{background:var(--chat-primary);color:var(--chat-on-primary)}
.sb:disabled{opacity:.4;cursor:default}
.st{color:var(--chat-fg);box-shadow:inset 0 0 0 1.5px var(--chat-border)}
.sb svg,.st svg{width:18px;height:18px}
[dir=rtl] .sb svg{transform:scaleX(-1)}
.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.w{inset:0!important;width:auto;height:var(--chat-vh,100%);border-radius:0;padding:env(safe-area-inset-top) env(safe-area-inset-right) 0 env(safe-area-inset-left)}.c textarea{font-size:16px}}
@media (prefers-reduced-motion:reduce){.w,.d i,.l{animation:none;transition:none}}`;
