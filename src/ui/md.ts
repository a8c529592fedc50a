// TEMPORARY until src/ui/markdown lands: plain text rendering (safe by construction).
export const Markdown = ({ text }: { text: string; streaming?: boolean }) => text;
