import http from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
const js = readFileSync('dist/chat-sdk.js');
const mode = process.argv[2] || 'widget';
const html = `<!doctype html><html><head><meta charset=utf-8><title>t</title></head><body><h1>Page</h1><p>text</p>${mode==='widget'?'<script src="/chat-sdk.js" data-api-key="k" data-api-url="http://127.0.0.1:9/" async></script>':''}</body></html>`;
const srv = http.createServer((q, r) => { if (q.url.startsWith('/chat-sdk.js')) { r.writeHead(200, {'content-type':'text/javascript'}); r.end(js);} else { r.writeHead(200, {'content-type':'text/html'}); r.end(html);} }).listen(0, '127.0.0.1');
await new Promise(r => srv.on('listening', r));
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
for (let run = 0; run < 3; run++) {
const p = await b.newPage();
const cdp = await p.context().newCDPSession(p);
await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReturnAsStream' });
await p.goto(`http://127.0.0.1:${srv.address().port}/`);
await p.waitForTimeout(1500);
const done = new Promise(r => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Tracing.end');
const { stream } = await done;
let data = ''; for (;;) { const c = await cdp.send('IO.read', { handle: stream }); data += c.data; if (c.eof) break; }
const ev = JSON.parse(data).traceEvents ?? JSON.parse(data);
const tasks = ev.filter(e => e.name === 'RunTask' && e.dur > 30000);
for (const t of tasks) {
  const kids = ev.filter(e => e.tid === t.tid && e.ts >= t.ts && e.ts < t.ts + t.dur && e.ph === 'X' && e.name !== 'RunTask' && e.dur > 3000);
  console.log(run, 'task', (t.dur/1000).toFixed(1), 'ms:', kids.map(k => `${k.name}${k.args?.data?.url ? '('+k.args.data.url.slice(-12)+')' : ''} ${(k.dur/1000).toFixed(1)}`).join(', '));
}
await p.close();
}
await b.close(); srv.close();
