// The classic script's stand-in for load-extras.ts: the optional features come from chat-sdk-extras.js
// next to the script, fetched once (core/asset-url.ts).
// They render with this bundle's Preact, handed over for the moment the file is evaluated (one Preact
// per page: a second copy could not render into this one's tree).
import { Component, Fragment, h } from 'preact';
import { importAsset } from '../embed/asset-url';
import type { Extras } from './load-extras';

export type { Extras };
export const EXTRAS_FILE = 'chat-sdk-extras.js';
export const PREACT_KEY = Symbol.for('chatsdk.preact');

let loading: Promise<Extras> | undefined;

export const loadExtras = (): Promise<Extras> => {
  if (!loading) {
    const slot = globalThis as Record<symbol, unknown>;
    slot[PREACT_KEY] = { h, Component, Fragment };
    loading = importAsset<Extras>(EXTRAS_FILE).finally(() => delete slot[PREACT_KEY]);
  }
  return loading;
};
