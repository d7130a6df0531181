import { vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import type { TestPlatform } from './harness.js';

/** Runs a CLI command in-process against the test database; its exit code, stdout (and that parsed as JSON, if it is) and stderr. */
export async function runCliInProcess(t: TestPlatform, args: string[]): Promise<{ code: number; out: string; err: string; json: any }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
  const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
  try {
    const code = await runCli(args, { DATABASE_URL: t.dbUrl, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
    const text = out.join('\n');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { code, out: text, err: err.join('\n'), json };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
