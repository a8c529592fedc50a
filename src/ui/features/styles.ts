// CSS of the optional features (contact form, upload tray, feedback), added to the widget's shadow root
// when they load; written minified like ../styles.ts, whose custom properties it uses. Class names:
//   .tr  the upload tray     .fe  a field's or file's error  .x   a remove button
//   .rate the rating row     .fb  a thumb button             .cm  the comment form
//   .cf  the contact form    .ff  one of its fields          .sb2 its submit button
//   .dz  the drop zone
import { SMALL_SCREEN } from '../styles';

export const css = `.tr{list-style:none;margin:0;padding:6px 14px 0;display:flex;flex-wrap:wrap;gap:6px}
.fe{color:var(--x);font-size:12px;font-weight:400}
.fc progress{width:60px;height:4px;accent-color:var(--p)}
.x{width:22px;height:22px;border-radius:50%}
.x svg{width:12px}
.rate{display:flex;align-items:center;flex-wrap:wrap;gap:2px;margin:2px 0}
.fb{width:30px;height:30px;border-radius:50%;color:var(--m)}
.fb svg{width:16px}
.fb.down svg{transform:rotate(180deg)}
.fb[aria-pressed=true]{color:var(--p)}
.fb:disabled{cursor:default}
.fb:disabled:not([aria-pressed=true]){opacity:.4}
.cm{display:flex;align-items:flex-end;gap:6px;width:100%}
.cm textarea,.cf input{flex:1;font:inherit;font-size:15px;color:inherit;background:var(--b);border:1px solid var(--e);border-radius:8px;padding:7px 9px}
.cf{margin:0 14px 8px;padding:12px;border:1px solid var(--e);border-radius:12px;display:flex;flex-direction:column;gap:8px}
.cf p{margin:0}
.ff{display:flex;flex-direction:column;gap:3px}
.cf label{font-size:13px;font-weight:600}
.cf [aria-invalid]{border-color:var(--x)}
.sb2{background:var(--p);color:var(--o);border-radius:10px;padding:9px 14px;font-weight:600}
.dz{position:absolute;inset:60px 8px 8px;display:grid;place-items:center;border:2px dashed var(--p);border-radius:12px;background:var(--b);font-weight:600;pointer-events:none}
.al.ok{color:inherit;background:#1e8e3e1f}
@media ${SMALL_SCREEN}{.cf input,.cm textarea{font-size:16px}}`;
