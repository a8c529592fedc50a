// Attachments: the attach button, and the tray of files being uploaded for the next message (progress,
// cancel, retry, remove). The transcript's own files are window/files.tsx.
import { ATTACHMENT_TYPES, fileProblem } from '../../core/files';
import { formatSize } from '../../core/size';
import type { Attachment, ChatClient } from '../../core/types';
import { ATTACH, CLOSE, icon } from '../icons';
import { fmt, type Strings } from '../strings';

export interface Upload {
  key: number;
  name: string;
  loaded: number;
  total: number;
  /** Set once the server has the file. */
  done?: Attachment | undefined;
  /** Why it failed (shown with Retry). */
  error?: string | undefined;
  file: File;
  cancel?: AbortController | undefined;
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

export interface TrayOptions {
  client(): ChatClient;
  strings(): Strings;
  maxBytes: number;
  redraw(): void;
  /** A file that cannot be sent: say why. */
  refuse(why: string): void;
}

let lastKey = 0;

export function createTray({ client, strings, maxBytes, redraw, refuse }: TrayOptions): Tray {
  const tray: Tray = {
    items: [],
    add(files) {
      for (const file of files) {
        const problem = fileProblem(file, maxBytes);
        const why = problem && strings()[problem === 'type' ? 'fileType' : problem === 'empty' ? 'fileEmpty' : 'fileSize'];
        if (why) refuse(fmt(why, file.name || 'file', formatSize(maxBytes)));
        else start({ key: ++lastKey, name: file.name || 'file', loaded: 0, total: file.size, file });
      }
    },
    retry(key) {
      const item = tray.items.find((upload) => upload.key === key);
      if (item) start(item);
    },
    drop(key) {
      tray.items.find((upload) => upload.key === key)?.cancel?.abort();
      tray.items = tray.items.filter((upload) => upload.key !== key);
      redraw();
    },
    take() {
      const done = tray.items.filter((upload) => upload.done);
      tray.items = tray.items.filter((upload) => !upload.done);
      redraw();
      return done.map((upload) => upload.done!);
    },
    ready: () => tray.items.some((upload) => upload.done),
    clear() {
      for (const upload of tray.items) upload.cancel?.abort();
      tray.items = [];
    },
  };

  function start(item: Upload): void {
    const cancel = new AbortController();
    Object.assign(item, { cancel, error: undefined, loaded: 0 });
    if (!tray.items.includes(item)) tray.items = [...tray.items, item];
    redraw();
    client()
      .upload(item.file, {
        signal: cancel.signal,
        onProgress(loaded, total) {
          Object.assign(item, { loaded, total });
          redraw();
        },
      })
      .then(
        (done) => Object.assign(item, { done, cancel: undefined }),
        (error: { code?: string; message?: string }) => {
          item.cancel = undefined;
          // Cancelled: the item is already gone from the tray.
          if (error?.code !== 'aborted') item.error = error?.code === 'invalid-input' ? error.message : strings().uploadFailed;
        },
      )
      .then(redraw);
  }
  return tray;
}

/** The files waiting to go with the next message, above the composer. */
export function TrayView({ tray, strings }: { tray: Tray; strings: Strings }) {
  if (!tray.items.length) return null;
  return (
    <ul class="tr" aria-label={strings.attach}>
      {tray.items.map((upload) => (
        <li key={upload.key} class="fc" data-state={upload.done ? 'done' : upload.error ? 'failed' : 'uploading'}>
          <span class="fn">{upload.name}</span>
          {!upload.done && !upload.error && (
            <progress max={upload.total || 1} value={upload.loaded} aria-label={fmt(strings.uploading, upload.name)} />
          )}
          {upload.error && (
            <span class="fe" role="alert">
              {upload.error}
            </span>
          )}
          {upload.error && (
            <button type="button" class="rt" onClick={() => tray.retry(upload.key)}>
              {strings.retry}
            </button>
          )}
          <button
            type="button"
            class="x"
            aria-label={upload.done || upload.error ? fmt(strings.remove, upload.name) : `${strings.cancel}: ${upload.name}`}
            onClick={() => tray.drop(upload.key)}
          >
            {icon(CLOSE)}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The attach button, backed by a hidden file input (the button is what keyboards and screen readers meet). */
export function AttachButton({ tray, strings, disabled }: { tray: Tray; strings: Strings; disabled?: boolean }) {
  let input: HTMLInputElement | null = null;
  return (
    <>
      <input
        ref={(element) => {
          input = element;
        }}
        type="file"
        multiple
        hidden
        accept={ATTACHMENT_TYPES.join()}
        onChange={(event) => {
          const element = event.currentTarget;
          tray.add([...(element.files || [])]);
          element.value = '';
        }}
      />
      <button
        type="button"
        class="ib at"
        aria-label={strings.attach}
        title={strings.attach}
        disabled={disabled}
        onClick={() => input?.click()}
      >
        {icon(ATTACH)}
      </button>
    </>
  );
}
