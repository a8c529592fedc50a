// File uploads (`POST /api/chats/attachments/`). XMLHttpRequest rather than fetch: only it reports
// upload progress in every browser.
import { httpError, joinUrl, networkError, readEnvelope } from './api';
import { ChatError } from './errors';
import { readAttachment } from './transcript';
import type { Attachment, UploadOptions } from './types';

/** File types the widget sends, by extension (used when a browser gives a file no type). */
const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};
/** The allowlist, for an `<input type=file accept>`. */
export const ATTACHMENT_TYPES: readonly string[] = [...new Set(Object.values(TYPES))];

/** The file's type when it is one we send, else null (an empty or generic type goes by the extension). */
export function attachmentType(file: Blob & { name?: string }): string | null {
  const type = file.type.toLowerCase();
  if (ATTACHMENT_TYPES.includes(type)) return type;
  if (type && type !== 'application/octet-stream') return null;
  return TYPES[/\.([a-z0-9]+)$/i.exec(file.name ?? '')?.[1]?.toLowerCase() ?? ''] ?? null;
}

const KB = 1024;
export const formatSize = (bytes: number): string =>
  bytes < KB ? `${bytes} B` : bytes < KB * KB ? `${Math.round(bytes / KB)} KB` : `${(bytes / KB / KB).toFixed(1).replace(/\.0$/, '')} MB`;

/** Why a file cannot be sent (its type, no bytes, over the limit), or null. The widget words it per locale. */
export const fileProblem = (file: Blob & { name?: string }, maxBytes: number): 'type' | 'empty' | 'size' | null =>
  !attachmentType(file) ? 'type' : !file.size ? 'empty' : file.size > maxBytes ? 'size' : null;

/** Refuse a file before any byte is sent: the reason names the limit. Returns the type to send it as. */
export function checkFile(file: Blob & { name?: string }, maxBytes: number): string {
  const name = file.name || 'file';
  const problem = fileProblem(file, maxBytes);
  if (problem == 'type') throw new ChatError('invalid-input', `"${name}" is not a file type that can be sent (images, PDF, text, CSV, Word, Excel or ZIP).`);
  if (problem == 'empty') throw new ChatError('invalid-input', `"${name}" is empty.`);
  if (problem == 'size') throw new ChatError('invalid-input', `"${name}" is ${formatSize(file.size)}; files can be at most ${formatSize(maxBytes)}.`);
  return attachmentType(file)!;
}

interface UploadRequest {
  XHR: typeof XMLHttpRequest | undefined;
  apiUrl: string;
  apiKey: string;
  file: Blob & { name?: string };
  type: string;
  sessionId: string;
  visitorId: string;
}

export function uploadFile(req: UploadRequest, { onProgress, signal }: UploadOptions = {}): Promise<Attachment> {
  const aborted = (): ChatError => new ChatError('aborted', 'The upload was cancelled.', { retryable: true });
  return new Promise((resolve, reject) => {
    if (!req.XHR) return reject(new ChatError('network', 'Uploads need XMLHttpRequest, which this environment lacks.'));
    if (signal?.aborted) return reject(aborted());
    const form = new FormData();
    // The type we checked, also for files the browser gave none (it would send application/octet-stream).
    form.append('file', req.file.type === req.type ? req.file : new Blob([req.file], { type: req.type }), req.file.name || 'file');
    form.append('session_id', req.sessionId);
    form.append('visitor_id', req.visitorId);
    const xhr = new req.XHR();
    const cancel = (): void => xhr.abort();
    const done = (): void => signal?.removeEventListener('abort', cancel);
    xhr.open('POST', joinUrl(req.apiUrl, '/api/chats/attachments/'));
    xhr.setRequestHeader('X-API-Key', req.apiKey);
    xhr.setRequestHeader('Accept', 'application/json');
    if (onProgress && xhr.upload) xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => {
      done();
      const headers = { 'content-type': xhr.getResponseHeader('content-type') ?? '', 'retry-after': xhr.getResponseHeader('retry-after') ?? '' };
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, headers });
      (response.ok ? readEnvelope(response) : httpError(response).then((e) => Promise.reject(e))).then((data) => {
        const attachment = readAttachment(data);
        if (attachment) resolve(attachment);
        else reject(new ChatError('protocol', 'The chat server sent an upload answer without an id and an http(s) url.'));
      }, reject);
    };
    xhr.onerror = xhr.ontimeout = () => {
      done();
      reject(networkError());
    };
    xhr.onabort = () => {
      done();
      reject(aborted());
    };
    signal?.addEventListener('abort', cancel);
    xhr.send(form);
  });
}
