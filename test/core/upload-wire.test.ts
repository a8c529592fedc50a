// @vitest-environment happy-dom
// The upload over a real XMLHttpRequest (happy-dom's), answered by msw: what goes over the wire.
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { envelope } from '../helpers/contract-server';
import { API, KEY, useCoreHarness } from './harness';

const { fresh, make, server } = useCoreHarness();

describe('upload() on the wire', () => {
  it('POST /api/chats/attachments/ multipart with file, session_id, visitor_id and the key; 201 gives the attachment', async () => {
    fresh();
    const seen: { key: string | null; file?: File; session?: unknown; visitor?: unknown }[] = [];
    server.use(
      http.post(`${API}/api/chats/attachments/`, async ({ request }) => {
        const form = await request.formData();
        seen.push({
          key: request.headers.get('x-api-key'),
          file: form.get('file') as File,
          session: form.get('session_id'),
          visitor: form.get('visitor_id'),
        });
        return envelope(201, { id: 'att9', url: `${API}/files/att9/notes.txt`, name: 'notes.txt', size: 5, content_type: 'text/plain' });
      }),
    );
    const { client } = make();
    const attachment = await client.upload(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    expect(attachment).toEqual({ id: 'att9', url: `${API}/files/att9/notes.txt`, name: 'notes.txt', size: 5, contentType: 'text/plain' });
    const chat = client.getState().chats[0]!;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ key: KEY, session: chat.sessionId, visitor: client.getState().visitorId });
    expect([seen[0]!.file!.name, await seen[0]!.file!.text()]).toEqual(['notes.txt', 'hello']);
  });

  it('a 415 from the server rejects with its message', async () => {
    fresh();
    server.use(http.post(`${API}/api/chats/attachments/`, () => envelope(415, undefined, "Files of type 'text/plain' are not accepted")));
    const { client } = make();
    await expect(client.upload(new File(['x'], 'a.txt', { type: 'text/plain' }))).rejects.toMatchObject({
      code: 'http',
      status: 415,
      message: "Files of type 'text/plain' are not accepted",
    });
  });
});
