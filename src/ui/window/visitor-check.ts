// The visitor check (create or validate the visitor) when the window opens waits for the window's first
// frame, so a click on a slow phone paints sooner; nothing waits on it (a send connects by itself). A
// hidden tab has no frames: it checks at once. Opens within one frame check once.
export interface VisitorCheck {
  request(): void;
  cancel(): void;
}

export function createVisitorCheck(connect: () => void, isPageShown: () => boolean): VisitorCheck {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    frame = 0;
    timer = undefined;
    connect();
  };
  return {
    request() {
      if (frame || timer) return;
      if (!isPageShown()) run();
      else
        frame = requestAnimationFrame(() => {
          timer = setTimeout(run);
        });
    },
    cancel() {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    },
  };
}
