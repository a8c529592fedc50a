// upload(): a file for the current chat's session (created first if needed). The request itself loads on
// demand (wire/upload.ts): most pages never upload.
import { linkAbort } from './abort';
import type { Connectivity } from './connectivity';
import { ChatError, toChatError } from './errors';
import { checkFile } from './files';
import type { Sessions } from './sessions';
import type { ChatStore } from './store';
import type { Attachment, ChatClientOptions, UploadOptions } from './types';

export interface UploadConfig {
  apiUrl: string;
  apiKey: string;
  maxFileSize: number;
  /** Injected for tests; else `globalThis.XMLHttpRequest`, read per upload. */
  XMLHttpRequest: ChatClientOptions['XMLHttpRequest'];
}

export function createUploads(config: UploadConfig, store: ChatStore, sessions: Sessions, connectivity: Connectivity, lifetime: AbortSignal) {
  return async function upload(file: Blob & { name?: string }, { onProgress, signal }: UploadOptions = {}): Promise<Attachment> {
    if (typeof Blob === 'undefined' || !(file instanceof Blob)) throw new ChatError('invalid-input', 'upload() takes a File or Blob.');
    const type = checkFile(file, config.maxFileSize);
    const chatId = store.currentChatId();
    const call = linkAbort(signal, lifetime);
    try {
      const visitorId = await connectivity.withRetries(() => sessions.ensureVisitor(call.signal), call.signal);
      const session = await sessions.ensureSession(chatId, visitorId, call.signal, new Set());
      const { uploadFile } = await import('./wire/upload');
      const XHR = config.XMLHttpRequest ?? globalThis.XMLHttpRequest;
      const request = { XHR, apiUrl: config.apiUrl, apiKey: config.apiKey, file, type, ...session };
      return await uploadFile(request, { onProgress, signal: call.signal });
    } catch (caught) {
      throw call.signal.aborted ? new ChatError('aborted', 'The upload was cancelled.', { retryable: true }) : toChatError(caught);
    } finally {
      call.unlink();
    }
  };
}
