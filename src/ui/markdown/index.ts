export { renderMarkdown, Markdown, type MarkdownProps } from './render';
export { splitBlocks, stats } from './parse-blocks';
export { safeUrl } from './safe-url';
