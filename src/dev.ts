// `npm run dev`: the server with reload on change (tsx watch restarts this process).
import { main } from './cli.ts';

await main(['start']);
