import * as os from 'node:os';

/** Who the CLI records as having posted events: the operator's own tool, run by an OS user. */
export function cliIdentity(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): the environment is all there is.
    user = process.env.USER ?? 'unknown';
  }
  return `cli:${user}`;
}
