// Parts of the window that only some chats need, each loaded (with its CSS) the first time one does:
// the conversation list, the files of a message, suggested questions, and an answer's tables and code
// blocks' copy buttons.
import { logWarning } from '../../core/log';

export interface LoadedParts {
  chatList?: typeof import('./chat-list');
  files?: typeof import('./files');
  suggestions?: typeof import('./suggestions');
  rich?: typeof import('../markdown/rich-blocks');
}

export interface PartLoader {
  loaded: LoadedParts;
  /** Load a part once; `done` runs when it is here (a failure is reported and may be tried again). */
  load(name: keyof LoadedParts, done?: () => void): void;
}

/** `arrived`: a part loaded, with its CSS: redraw. */
export function createPartLoader(addCss: (css: string) => void, arrived: () => void): PartLoader {
  const loaded: LoadedParts = {};
  const loading = new Set<keyof LoadedParts>();
  const importers: { [Name in keyof LoadedParts]-?: () => Promise<NonNullable<LoadedParts[Name]>> } = {
    chatList: () => import('./chat-list'),
    files: () => import('./files'),
    suggestions: () => import('./suggestions'),
    rich: () => import('../markdown/rich-blocks'),
  };
  return {
    loaded,
    load(name, done) {
      if (loaded[name]) return done?.();
      if (loading.has(name)) return;
      loading.add(name);
      importers[name]().then(
        (part) => {
          addCss(part.css);
          (loaded as Record<string, unknown>)[name] = part;
          arrived();
          done?.();
        },
        (error: unknown) => {
          loading.delete(name);
          logWarning(`Part of the chat window did not load (${String(error)}).`);
        },
      );
    },
  };
}
