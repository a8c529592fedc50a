// @ts-check
/**
 * File attachments: which types are accepted, checks on the bytes, file names that are safe to
 * store and to send back in headers, and reading a multipart upload without buffering more than
 * the limit allows.
 */
import { HttpError } from './http.mjs';

/** Default limit per file (the widget's too). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Room for the other form fields and the multipart framing on top of the file itself. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;
/** Longest stored file name, in characters. */
export const MAX_FILE_NAME = 200;

/** Accepted types, with the label used in messages. */
export const ATTACHMENT_TYPES = /** @type {Record<string, string>} */ ({
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'application/pdf': 'PDF',
  'text/plain': 'text',
  'text/csv': 'CSV',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/zip': 'ZIP',
});

/**
 * Types some browsers give to allowed files: Windows registers .csv as an Excel type and .zip as
 * x-zip-compressed, so a tester there would otherwise be refused a file the widget allows.
 * @type {Record<string, { ext: RegExp, type: string }>}
 */
const ALIASES = {
  'application/vnd.ms-excel': { ext: /\.csv$/i, type: 'text/csv' },
  'application/x-zip-compressed': { ext: /\.zip$/i, type: 'application/zip' },
  'application/x-zip': { ext: /\.zip$/i, type: 'application/zip' },
};

/** Image types whose first bytes are checked against their magic numbers. */
const MAGIC = /** @type {Record<string, (bytes: Buffer) => boolean>} */ ({
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')),
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
});

/**
 * The accepted type of a file, or null. Parameters (`; charset=…`) and case do not matter.
 * @param {string} type as the upload declared it
 * @param {string} name
 */
export function acceptedType(type, name) {
  const bare = type.split(';')[0]?.trim().toLowerCase() ?? '';
  if (Object.hasOwn(ATTACHMENT_TYPES, bare)) return bare;
  const alias = ALIASES[bare];
  return alias?.ext.test(name) ? alias.type : null;
}

/**
 * For images: do the bytes start the way that type must? A file called photo.png that is really
 * HTML is refused, so the server never serves it back as an image.
 * @param {string} type an accepted type
 * @param {Buffer} bytes
 */
export function contentMatches(type, bytes) {
  const check = MAGIC[type];
  return check ? check(bytes) : true;
}

/** @param {string} type an accepted type */
export function typeLabel(type) {
  return ATTACHMENT_TYPES[type] ?? type;
}

/**
 * A file name safe to store and to show: the last path part only (browsers send `C:\…\x.png` in
 * some cases), without control or bidi-override characters (which can disguise `gnp.exe` as
 * `exe.png`), at most 200 characters with the extension kept.
 * @param {string} raw
 */
export function sanitizeFileName(raw) {
  const last = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control and direction characters is the point
  let name = last.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (/^\.*$/.test(name)) return 'file';
  if (name.length > MAX_FILE_NAME) {
    const ext = /\.[^.]{1,20}$/.exec(name)?.[0] ?? '';
    name = name.slice(0, MAX_FILE_NAME - ext.length) + ext;
  }
  return name;
}

/** `12 KB`, `1.2 MB`, as the widget writes sizes. @param {number} bytes */
export function formatSize(bytes) {
  const kb = 1024;
  if (bytes < kb) return `${bytes} B`;
  if (bytes < kb * kb) return `${Math.round(bytes / kb)} KB`;
  return `${(bytes / kb / kb).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * `Content-Disposition` for serving a stored file: images inline (thumbnails, and a tab that shows
 * them), everything else as a download, so a text or PDF file never renders on the API's origin.
 * @param {string} type
 * @param {string} name
 */
export function contentDisposition(type, name) {
  // RFC 8187 encoding: encodeURIComponent leaves ' ( ) * alone, which the header grammar does not allow.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type.startsWith('image/') ? 'inline' : 'attachment'}; filename*=UTF-8''${encoded}`;
}

/**
 * @typedef {{ kind: 'body', body: Buffer } | { kind: 'too-large', size: number } | { kind: 'aborted', size: number }} UploadRead
 */

/**
 * Read an upload body, stopping as soon as it passes `cap` (nothing more is buffered). With
 * `holdMs`, reading is paced so the whole upload takes that long: the client's progress bar moves
 * slowly, and there is time to cancel (QA fault `upload-slow`).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {{ cap: number, holdMs: number }} options
 * @returns {Promise<UploadRead>}
 */
export async function readUpload(req, res, { cap, holdMs }) {
  const started = Date.now();
  const expected = Number(req.headers['content-length']) || 0;
  let gone = false;
  res.once('close', () => {
    gone = !res.writableEnded;
  });
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += chunk.length;
      if (size > cap) return { kind: 'too-large', size };
      chunks.push(chunk);
      if (holdMs && expected) await pause(started + holdMs * Math.min(1, size / expected) - Date.now(), res);
      if (gone) return { kind: 'aborted', size };
    }
  } catch {
    // The client went away mid-body (cancelled upload, closed tab): nobody is left to answer.
    return { kind: 'aborted', size };
  }
  if (holdMs) await pause(started + holdMs - Date.now(), res);
  if (gone) return { kind: 'aborted', size };
  return { kind: 'body', body: Buffer.concat(chunks, size) };
}

/**
 * Wait, but stop at once if the client leaves (or the server's close() destroys the socket).
 * @param {number} ms
 * @param {import('node:http').ServerResponse} res
 */
function pause(ms, res) {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve(undefined);
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/**
 * Parse a buffered multipart body with the platform's own parser (Node 20's fetch Response).
 * @param {Buffer} body
 * @param {string} contentType the request's, with its boundary
 */
export async function parseForm(body, contentType) {
  try {
    // A view on the same memory, not a copy (Buffer is not a BodyInit to the DOM types).
    const bytes = /** @type {Uint8Array<ArrayBuffer>} */ (new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    return await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new HttpError(400, 'Request body is not valid multipart/form-data');
  }
}
