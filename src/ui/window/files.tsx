// Files of a message (sent by the visitor, or received from an agent): a thumbnail for images, a chip
// with name and size otherwise; both open the file in a new tab. Loaded when a chat first shows one.
import { formatSize } from '../../core/size';
import type { Attachment } from '../../core/types';

/** This part's CSS, added when it first loads. .fs: a message's files, .th: a thumbnail, .fz: a size. */
export const css = `.fs{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}
.th img{display:block;max-width:200px;max-height:160px;border-radius:12px;object-fit:cover}
.fz{color:var(--m);font-size:12px}`;

const isImage = (file: Attachment): boolean => /^image\/(png|jpeg|gif|webp)$/.test(file.contentType);

/** `showImage`: a thumbnail loads only from an allowed origin; other images are file chips (a link, no request). */
export const Files = ({ list, showImage }: { list: Attachment[]; showImage(url: string): boolean }) => (
  <div class="fs">
    {list.map((file) => {
      const thumbnail = isImage(file) && showImage(file.url);
      return (
        <a key={file.id} class={thumbnail ? 'th' : 'fc'} href={file.url} target="_blank" rel="noopener noreferrer nofollow">
          {thumbnail ? (
            <img src={file.url} alt={file.name} loading="lazy" referrerpolicy="no-referrer" />
          ) : (
            <span class="fn">{file.name}</span>
          )}
          {!thumbnail && file.size > 0 && <span class="fz">{formatSize(file.size)}</span>}
        </a>
      );
    })}
  </div>
);
