/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
// Attachments: the attach button, and the tray of files being uploaded for the next message (progress,
// cancel, retry, remove). Part of the optional features (extras.ts); the transcript's files are files.tsx.
import { Fragment, h } from 'preact';
import type { Attachment, ChatClient } from '../core/types';
import { ATTACHMENT_TYPES, fileProblem, formatSize } from '../core/files';
import { fmt, type Strings } from './i18n';
import { ATTACH, CLOSE, icon } from './icons';

export interface Upload {
  key: number;
  name: string;
  loaded: number;
  total: number;
  /** Set once the server has the file. */
  done?: Attachment;
  /** Why it failed (shown with Retry). */
  error?: string;
  file: File;
  ctl?: AbortController;
}

export interface Tray {
  items: Upload[];
  /** Check and start uploading; a file we would refuse is reported through `refuse`, not uploaded. */
  add(files: File[]): void;
  retry(key: number): void;
  /** Cancel an upload in progress or remove a file from the next message. */
  drop(key: number): void;
  /** The uploaded files, taken out of the tray for a message being sent. */
  take(): Attachment[];
  ready(): boolean;
  clear(): void;
}

let keys = 0;

export function createTray(client: () => ChatClient, s: () => Strings, maxBytes: number, redraw: () => void, refuse: (why: string) => void): Tray {
  const tray: Tray = {
    items: [],
    add(files) {
      for (const file of files) {
        const problem = fileProblem(file, maxBytes);
        const why = problem && s()[problem == 'type' ? 'fileType' : problem == 'empty' ? 'fileEmpty' : 'fileSize'];
        if (why) refuse(fmt(why, file.name || 'file', formatSize(maxBytes)));
        else start({ key: ++keys, name: file.name || 'file', loaded: 0, total: file.size, file });
      }
    },
    retry(key) {
      const item = tray.items.find((u) => u.key == key);
      if (item) start(item);
    },
    drop(key) {
      tray.items.find((u) => u.key == key)?.ctl?.abort();
      tray.items = tray.items.filter((u) => u.key != key);
      redraw();
    },
    take() {
      const done = tray.items.filter((u) => u.done);
      tray.items = tray.items.filter((u) => !u.done);
      redraw();
      return done.map((u) => u.done!);
    },
    ready: () => tray.items.some((u) => u.done),
    clear() {
      for (const u of tray.items) u.ctl?.abort();
      tray.items = [];
    },
  };

  function start(item: Upload) {
    const ctl = new AbortController();
    Object.assign(item, { ctl, error: undefined, loaded: 0 });
    if (!tray.items.includes(item)) tray.items = [...tray.items, item];
    redraw();
    client()
      .upload(item.file, {
        signal: ctl.signal,
        onProgress(loaded, total) {
          Object.assign(item, { loaded, total });
          redraw();
        },
      })
      .then(
        (done) => Object.assign(item, { done, ctl: undefined }),
        (e) => {
          item.ctl = undefined;
          // Cancelled: the item is already gone from the tray.
          if (e?.code != 'aborted') item.error = e?.code == 'invalid-input' ? e.message : s().uploadFailed;
        },
      )
      .then(redraw);
  }
  return tray;
}

/** The files waiting to go with the next message, above the composer. */
export function TrayView({ tray, s }: { tray: Tray; s: Strings }) {
  if (!tray.items.length) return null;
  return (
    <ul class="tr" aria-label={s.attach}>
      {tray.items.map((u) => (
        <li key={u.key} class="fc" data-state={u.done ? 'done' : u.error ? 'failed' : 'uploading'}>
          <span class="fn">{u.name}</span>
          {!u.done && !u.error && <progress max={u.total || 1} value={u.loaded} aria-label={fmt(s.uploading, u.name)} />}
          {u.error && (
            <span class="fe" role="alert">
              {u.error}
            </span>
          )}
          {u.error && (
            <button type="button" class="rt" onClick={() => tray.retry(u.key)}>
              {s.retry}
            </button>
          )}
          <button type="button" class="x" aria-label={u.done || u.error ? fmt(s.remove, u.name) : `${s.cancel}: ${u.name}`} onClick={() => tray.drop(u.key)}>
            {icon(CLOSE)}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The attach button, backed by a hidden file input (the button is what keyboards and screen readers meet). */
export function AttachButton({ tray, s, disabled }: { tray: Tray; s: Strings; disabled?: boolean }) {
  let input: HTMLInputElement | null = null;
  return (
    <>
      <input
        ref={(e) => void (input = e)}
        type="file"
        multiple
        hidden
        accept={ATTACHMENT_TYPES.join()}
        onChange={(e) => {
          const el = e.currentTarget;
          tray.add([...(el.files || [])]);
          el.value = '';
        }}
      />
      <button type="button" class="ib at" aria-label={s.attach} title={s.attach} disabled={disabled} onClick={() => input?.click()}>
        {icon(ATTACH)}
      </button>
    </>
  );
}
