// upload(): a file for the current chat's session (created first if needed), checked before any byte is
// sent. Loaded on demand: most pages never upload.
import { linkAbort } from './abort';
import type { Connectivity } from './connectivity';
import { ChatError, toChatError } from './errors';
import { checkFile } from './files';
import type { Sessions } from './sessions';
import type { ChatStore } from './store';
import type { Attachment, ChatClientOptions, UploadOptions } from './types';
import { uploadFile } from './wire/upload';

export interface UploadNeeds {
  config: { apiUrl: string; apiKey: string; maxFileSize: number };
  /** Injected for tests; else `globalThis.XMLHttpRequest`, read per upload. */
  XMLHttpRequest: ChatClientOptions['XMLHttpRequest'];
  store: ChatStore;
  sessions: Sessions;
  connectivity: Connectivity;
  /** The client's lifetime: destroy() cancels the upload. */
  lifetime: AbortSignal;
}

export async function upload(
  needs: UploadNeeds,
  file: Blob & { name?: string },
  { onProgress, signal }: UploadOptions = {},
): Promise<Attachment> {
  const { config, store, sessions, connectivity } = needs;
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) throw new ChatError('invalid-input', 'upload() takes a File or Blob.');
  const type = checkFile(file, config.maxFileSize);
  const chatId = store.currentChatId();
  const call = linkAbort(signal, needs.lifetime);
  try {
    const visitorId = await connectivity.withRetries(() => sessions.ensureVisitor(call.signal), call.signal);
    const session = await sessions.ensureSession(chatId, visitorId, call.signal, new Set());
    const XHR = needs.XMLHttpRequest ?? globalThis.XMLHttpRequest;
    return await uploadFile(
      { XHR, apiUrl: config.apiUrl, apiKey: config.apiKey, file, type, ...session },
      { onProgress, signal: call.signal },
    );
  } catch (caught) {
    throw call.signal.aborted ? new ChatError('aborted', 'The upload was cancelled.', { retryable: true }) : toChatError(caught);
  } finally {
    call.unlink();
  }
}
