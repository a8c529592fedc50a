/** @jsxRuntime classic */
/** @jsx h */
// Files of a message (sent by the visitor, or received from an agent): a thumbnail for images, a chip
// with name and size otherwise; both open the file in a new tab.
import { h } from 'preact';
import type { Attachment } from '../core/types';
import { formatSize } from '../core/files';

const isImage = (a: Attachment) => /^image\/(png|jpeg|gif|webp)$/.test(a.contentType);

export const Files = ({ list }: { list: Attachment[] }) => (
  <div class="fs">
    {list.map((a) => (
      <a key={a.id} class={isImage(a) ? 'th' : 'fc'} href={a.url} target="_blank" rel="noopener noreferrer nofollow">
        {isImage(a) ? <img src={a.url} alt={a.name} loading="lazy" referrerpolicy="no-referrer" /> : <span class="fn">{a.name}</span>}
        {!isImage(a) && a.size > 0 && <span class="fz">{formatSize(a.size)}</span>}
      </a>
    ))}
  </div>
);
