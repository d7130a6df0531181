import pg from 'pg';

/**
 * pg-boss's database adapter. pglite-socket (the embedded database) multiplexes many
 * client connections onto one PGlite session message by message; outside a transaction the
 * messages of two clients' extended-protocol queries (Parse/Bind/Execute/Sync) can interleave
 * and corrupt each other. MikroORM already sends every statement as one simple-protocol
 * message; this adapter makes pg-boss do the same by inlining its parameters as escaped
 * literals (pg's escapeLiteral), on every target so there is one code path.
 */
export class SimpleProtocolDb {
  private readonly pool: pg.Pool;

  constructor(connectionString: string, max = 2) {
    this.pool = new pg.Pool({ connectionString, max, application_name: 'pgboss' });
  }

  async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    const sql = values && values.length > 0 ? inlineParameters(text, values) : text;
    return this.pool.query(sql) as unknown as Promise<{ rows: unknown[] }>;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export function inlineParameters(text: string, values: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_match, index: string) => {
    const value = values[Number(index) - 1];
    return value === null || value === undefined ? 'NULL' : pg.escapeLiteral(toText(value));
  });
}

/** The text form node-postgres would send for a parameter (dates, arrays, JSON). */
function toText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `"${toText(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
