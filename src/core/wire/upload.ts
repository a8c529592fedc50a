// File uploads (`POST /api/chats/attachments/`). XMLHttpRequest rather than fetch: only it reports
// upload progress in every browser. Loaded on demand: only sites with attachments on upload.
import { ChatError } from '../errors';
import { readAttachment } from '../transcript';
import type { Attachment, UploadOptions } from '../types';
import { httpError, joinUrl, networkError, readEnvelope } from './api';

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
    if (onProgress && xhr.upload) xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded, event.total);
    xhr.onload = () => {
      done();
      const headers = {
        'content-type': xhr.getResponseHeader('content-type') ?? '',
        'retry-after': xhr.getResponseHeader('retry-after') ?? '',
      };
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, headers });
      (response.ok ? readEnvelope(response) : httpError(response).then((error) => Promise.reject(error))).then((data) => {
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
