import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IssueResponse } from '@podid/contracts';
import { send } from '../http/respond';
import { renderToken, tokenRepresentation } from '../protocol/token-representation';

/** 200 with the token in the representation the client asked for (Accept, Accept-Encoding). */
export function sendToken(req: IncomingMessage, res: ServerResponse, token: IssueResponse): void {
  const rep = tokenRepresentation(headerText(req.headers['accept']), headerText(req.headers['accept-encoding']));
  const { body, headers } = renderToken(token, rep);
  send(res, 200, body, headers);
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}
