// Every console line of the SDK starts with the same prefix, so site owners can find (and filter) ours.
const PREFIX = '[ChatSDK] ';

export const logError = (message: string, ...details: unknown[]): void => console.error(PREFIX + message, ...details);
export const logWarning = (message: string, ...details: unknown[]): void => console.warn(PREFIX + message, ...details);
export const logInfo = (message: string): void => console.info(PREFIX + message);

/** What an error says: its message, or the thrown value as text. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
