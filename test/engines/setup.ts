// The usual set-up of an engine test file: the servers and the engine for the file, a reset backend and a
// page in a fresh profile for each test (closed after it, also when it failed).
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type Engine, type EnginePage, engineName, startEngine, within } from './drivers';
import { type Stack, startStack } from './stack';

export const ENGINE = engineName();

export function useEngine(): { readonly stack: Stack; readonly page: EnginePage; readonly engine: Engine } {
  const env = {} as { stack: Stack; page: EnginePage; engine: Engine };
  beforeAll(async () => {
    env.stack = await startStack();
    env.engine = await startEngine(ENGINE);
  });
  afterAll(async () => {
    await env.engine?.close().catch((error: unknown) => console.warn(`closing ${ENGINE}:`, error));
    await env.stack?.close();
  });
  beforeEach(async () => {
    await env.stack.reset();
    env.page = await env.engine.newPage();
  });
  afterEach(async () => {
    await within(env.page.close(), 15_000, 'closing the page').catch((error: unknown) => console.warn(error));
  });
  return env;
}
