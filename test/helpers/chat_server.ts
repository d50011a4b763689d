// A local OpenAI-style chat-completions server for the concept-naming tests (library and CLI): it parses
// each request, records what the tests check (the user message, the Authorization header) and lets the
// test decide the answer, so no test needs a network or a real model.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  /** 0 for the server's first request, 1 for the next, ... */
  index: number;
  /** The Authorization header as sent (undefined when none). */
  auth: string | undefined;
  /** The content of the request's user message. */
  user: string;
}

/** Answers one request (it may also leave it unanswered). */
export type ChatResponder = (request: ChatRequest, res: ServerResponse) => void;

/** Writes a JSON response. */
export function answerJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** A chat-completions response body whose one choice says `content`. */
export function completion(content: string): unknown {
  return { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] };
}

/** Answers 200 with a completion saying `content`. */
export function answerCompletion(res: ServerResponse, content: string): void {
  answerJson(res, 200, completion(content));
}

/**
 * Runs fn with the server's base URL (http://127.0.0.1:PORT/v1) and the requests it has had so far, each
 * answered by `respond`; the server closes when fn settles.
 */
export async function withChatServer(respond: ChatResponder, fn: (url: string, requests: ChatRequest[]) => Promise<void>): Promise<void> {
  const requests: ChatRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { role: string; content: string }[] };
      const request = { index: requests.length, auth: req.headers.authorization, user: body.messages.find((m) => m.role === 'user')!.content };
      requests.push(request);
      respond(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
