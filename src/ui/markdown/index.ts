export { splitBlocks, stats } from './parse-blocks';
export { Markdown, type MarkdownProps, renderMarkdown } from './render';
export { safeUrl } from './safe-url';
