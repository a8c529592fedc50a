// The Vite page of npm run test:consumer: the widget from the installed package, pointed at the reference
// backend named in the URL (?api=...&key=...).
import { init, version } from 'chat-sdk';

const params = new URLSearchParams(location.search);
const chat = init({ apiKey: params.get('key') ?? '', apiUrl: params.get('api') ?? '', title: 'Acme support' });
chat.on('message', ({ message }) => {
  if (message.status === 'sent') document.body.dataset.lastSent = message.author;
});
document.documentElement.dataset.chatSdk = version;
