// A file's size as people read it.
const KB = 1024;
export const formatSize = (bytes: number): string =>
  bytes < KB ? `${bytes} B` : bytes < KB * KB ? `${Math.round(bytes / KB)} KB` : `${(bytes / KB / KB).toFixed(1).replace(/\.0$/, '')} MB`;
