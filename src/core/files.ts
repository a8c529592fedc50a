// Which files can be sent, checked before any byte leaves (the widget's tray and upload() alike).
import { ChatError } from './errors';
import { formatSize } from './size';

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
function attachmentType(file: Blob & { name?: string }): string | null {
  const type = file.type.toLowerCase();
  if (ATTACHMENT_TYPES.includes(type)) return type;
  if (type && type !== 'application/octet-stream') return null;
  return TYPES[/\.([a-z0-9]+)$/i.exec(file.name ?? '')?.[1]?.toLowerCase() ?? ''] ?? null;
}

/** Why a file cannot be sent (its type, no bytes, over the limit), or null. The widget words it per locale. */
export const fileProblem = (file: Blob & { name?: string }, maxBytes: number): 'type' | 'empty' | 'size' | null =>
  !attachmentType(file) ? 'type' : !file.size ? 'empty' : file.size > maxBytes ? 'size' : null;

/** Refuse a file before any byte is sent: the reason names the limit. Returns the type to send it as. */
export function checkFile(file: Blob & { name?: string }, maxBytes: number): string {
  const name = file.name || 'file';
  const problem = fileProblem(file, maxBytes);
  if (problem === 'type')
    throw new ChatError('invalid-input', `"${name}" is not a file type that can be sent (images, PDF, text, CSV, Word, Excel or ZIP).`);
  if (problem === 'empty') throw new ChatError('invalid-input', `"${name}" is empty.`);
  if (problem === 'size')
    throw new ChatError('invalid-input', `"${name}" is ${formatSize(file.size)}; files can be at most ${formatSize(maxBytes)}.`);
  return attachmentType(file)!;
}
