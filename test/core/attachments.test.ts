import { afterEach, describe, expect, it } from 'vitest';
import type { Attachment } from '../../src/core';
import { asXHR, FakeXHR } from '../helpers/fake-xhr';
import { API, KEY, settled, useCoreHarness } from './harness';

const { fresh, make } = useCoreHarness();
afterEach(() => {
  FakeXHR.sent = [];
});

const png = (bytes = 64, name = 'photo.png') => new File([new Uint8Array(bytes)], name, { type: 'image/png' });
const served = (name = 'photo.png', size = 64) => ({
  id: 'att1',
  url: `${API}/api/chats/attachments/att1/${name}`,
  name,
  size,
  content_type: 'image/png',
});
/** Wait until the client has handed the request to XMLHttpRequest. */
const nextUpload = async (): Promise<FakeXHR> => {
  await expect.poll(() => FakeXHR.sent.length).toBeGreaterThan(0);
  return FakeXHR.sent.at(-1)!;
};

describe('upload()', () => {
  it('sends multipart file, session_id and visitor_id with the key, reports progress, resolves with the attachment', async () => {
    const backend = fresh();
    const { client } = make({ XMLHttpRequest: asXHR() });
    const progress: string[] = [];
    const done = client.upload(png(), { onProgress: (loaded, total) => progress.push(`${loaded}/${total}`) });
    const xhr = await nextUpload();
    const chat = client.getState().chats[0]!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe(`${API}/api/chats/attachments/`);
    expect(xhr.headers['x-api-key']).toBe(KEY);
    expect(xhr.field('session_id')).toBe(chat.sessionId);
    expect(xhr.field('visitor_id')).toBe(client.getState().visitorId);
    const file = xhr.field('file') as File;
    expect([file.name, file.type, file.size]).toEqual(['photo.png', 'image/png', 64]);
    xhr.progress(20, 64);
    xhr.progress(64, 64);
    xhr.respond(201, { success: true, data: served() });
    await expect(done).resolves.toEqual({
      id: 'att1',
      url: `${API}/api/chats/attachments/att1/photo.png`,
      name: 'photo.png',
      size: 64,
      contentType: 'image/png',
    });
    expect(progress).toEqual(['20/64', '64/64']);
    // The session was created for the upload; no message went out.
    expect(backend.chats).toEqual([]);
  });

  it('a file without a type goes by its extension (sent with that type); an unknown type or an empty file is refused before any request', async () => {
    const backend = fresh();
    const { client } = make({ XMLHttpRequest: asXHR() });
    await expect(client.upload(new File(['x'], 'run.exe', { type: 'application/x-msdownload' }))).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('"run.exe" is not a file type that can be sent'),
    });
    await expect(client.upload(new File([], 'empty.txt', { type: 'text/plain' }))).rejects.toMatchObject({
      message: '"empty.txt" is empty.',
    });
    expect(backend.calls).toEqual([]);
    const done = client.upload(new File(['a,b'], 'table.csv'));
    const xhr = await nextUpload();
    expect((xhr.field('file') as File).type).toBe('text/csv');
    xhr.respond(201, { success: true, data: { ...served('table.csv', 3), content_type: 'text/csv' } });
    await expect(done).resolves.toMatchObject({ name: 'table.csv', contentType: 'text/csv' });
  });

  it('maxFileSize: a larger file is refused with both sizes in the message', async () => {
    fresh();
    const { client } = make({ XMLHttpRequest: asXHR(), maxFileSize: 1024 * 1024 });
    await expect(client.upload(png(1024 * 1024 + 1))).rejects.toMatchObject({
      code: 'invalid-input',
      message: '"photo.png" is 1 MB; files can be at most 1 MB.',
    });
    await expect(client.upload(png(3 * 1024 * 1024, 'big.png'))).rejects.toMatchObject({
      message: '"big.png" is 3 MB; files can be at most 1 MB.',
    });
    expect(FakeXHR.sent).toEqual([]);
  });

  it('cancel: aborting the signal aborts the request and rejects with "aborted"', async () => {
    fresh();
    const { client } = make({ XMLHttpRequest: asXHR() });
    const cancel = new AbortController();
    const done = client.upload(png(), { signal: cancel.signal });
    const xhr = await nextUpload();
    cancel.abort();
    await expect(done).rejects.toMatchObject({ code: 'aborted' });
    expect(xhr.aborted).toBe(true);
  });

  it('server errors keep their status and message (413, 415); a network failure is retryable', async () => {
    fresh();
    const { client } = make({ XMLHttpRequest: asXHR() });
    const first = client.upload(png());
    (await nextUpload()).respond(413, { success: false, message: 'Files can be at most 10 MB' });
    await expect(first).rejects.toMatchObject({ code: 'http', status: 413, message: 'Files can be at most 10 MB', retryable: false });
    const second = client.upload(png());
    await expect.poll(() => FakeXHR.sent.length).toBe(2);
    FakeXHR.sent[1]!.fail();
    await expect(second).rejects.toMatchObject({ code: 'network', retryable: true });
    const third = client.upload(png());
    await expect.poll(() => FakeXHR.sent.length).toBe(3);
    FakeXHR.sent[2]!.respond(201, { success: true, data: { id: 'x', url: 'javascript:alert(1)', name: 'a.png' } });
    await expect(third).rejects.toMatchObject({ code: 'protocol' });
  });
});

describe('send() with attachments', () => {
  const attachment: Attachment = { id: 'att1', url: `${API}/f/att1`, name: 'photo.png', size: 64, contentType: 'image/png' };

  it('carries attachment_ids on the wire and the attachments on the message (also with no text)', async () => {
    const backend = fresh();
    const { client, tab } = make();
    const message = await client.send('', { attachments: [attachment] });
    expect(message).toMatchObject({ text: '', attachments: [attachment] });
    await settled(client, 2);
    expect(backend.chats[0]!.body).toMatchObject({ message: '', attachment_ids: ['att1'] });
    // Stored with the transcript, so a reload shows the thumbnail.
    expect(JSON.parse([...tab.map.values()][0]!).data.chats[0].messages[0].attachments).toEqual([attachment]);
  });

  it('no text and no attachment is still refused; a bad attachment entry is dropped', async () => {
    const backend = fresh();
    const { client } = make();
    await expect(client.send('   ', { attachments: [] })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(client.send('', { attachments: [{ id: 'a', url: 'data:x' } as unknown as Attachment] })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    expect(backend.calls).toEqual([]);
  });

  it('history messages bring their attachments (an agent sending a file)', async () => {
    const backend = fresh();
    const { client } = make({ pollInterval: 1000 });
    await client.send('hi');
    await settled(client, 2);
    const sessionId = client.getState().chats[0]!.sessionId!;
    backend.say(sessionId, {
      sender: 'agent',
      text: 'Here is the invoice',
      agent: { name: 'Olena' },
      attachments: [{ ...served('invoice.pdf', 2048), content_type: 'application/pdf' }],
    });
    client.setPresence({ open: true, pageVisible: true });
    await expect.poll(() => client.getState().messages.length, { timeout: 3000 }).toBe(3);
    expect(client.getState().messages[2]!.attachments).toEqual([
      { id: 'att1', url: `${API}/api/chats/attachments/att1/invoice.pdf`, name: 'invoice.pdf', size: 2048, contentType: 'application/pdf' },
    ]);
  });
});
