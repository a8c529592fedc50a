// Suggested questions as buttons: the site's under the greeting of a chat the visitor has not written in,
// the server's follow-ups under the answer that offered them. A click sends the text as the visitor's
// message, the way typed text goes. Loaded when a chat first has some to show.

/** This part's CSS, added when it first loads. .sg: the buttons (they wrap), .sq: one of them. */
export const css = `.sg{display:flex;flex-wrap:wrap;gap:6px}
.sq{max-width:100%;padding:6px 12px;border:1px solid var(--p);border-radius:16px;font-size:13px;text-align:start;overflow-wrap:anywhere}
.sq:hover{background:#8882}`;

interface SuggestionsProps {
  list: readonly string[];
  send(text: string): void;
}

/** The buttons, named by their text, in order. A click moves focus to the log: the button goes away with the message it sends. */
export const Suggestions = ({ list, send }: SuggestionsProps) => (
  <div class="sg">
    {list.map((text) => (
      <button
        type="button"
        class="sq"
        onClick={(event) => {
          event.currentTarget.closest<HTMLElement>('[role=log]')?.focus();
          send(text);
        }}
      >
        {text}
      </button>
    ))}
  </div>
);
