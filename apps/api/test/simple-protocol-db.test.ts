import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineParameters, SimpleProtocolDb } from '../src/jobs/simple-protocol-db.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

describe('inlineParameters (text)', () => {
  it('quotes strings, doubling single quotes', () => {
    expect(inlineParameters('select $1', ["O'Brien"])).toBe("select 'O''Brien'");
    expect(inlineParameters('select $1', ["'; drop table payments; --"])).toBe("select '''; drop table payments; --'");
  });

  it('escapes backslashes with an E-string', () => {
    expect(inlineParameters('select $1', ['a\\b'])).toBe("select  E'a\\\\b'");
    expect(inlineParameters('select $1', ["it's a \\ test"])).toBe("select  E'it''s a \\\\ test'");
  });

  it('writes null and undefined as bare NULL', () => {
    expect(inlineParameters('insert into t values ($1, $2, $3)', [null, undefined, 'x'])).toBe("insert into t values (NULL, NULL, 'x')");
  });

  it('writes dates as ISO 8601 UTC literals', () => {
    expect(inlineParameters('select $1', [new Date('2026-11-25T12:34:56.789Z')])).toBe("select '2026-11-25T12:34:56.789Z'");
  });

  it('writes numbers and booleans as quoted literals', () => {
    expect(inlineParameters('select $1, $2, $3', [42, 1.5, true])).toBe("select '42', '1.5', 'true'");
  });

  it('writes arrays as Postgres array literals with quoted, escaped elements and NULLs', () => {
    expect(inlineParameters('select $1', [['a', 'b']])).toBe(`select '{"a","b"}'`);
    expect(inlineParameters('select $1', [[]])).toBe(`select '{}'`);
    expect(inlineParameters('select $1', [['x', null, 'y']])).toBe(`select '{"x",NULL,"y"}'`);
    // a double quote inside an element is backslash-escaped for the array parser, then the
    // backslash itself is escaped for the string literal
    expect(inlineParameters('select $1', [['say "hi"']])).toBe(`select  E'{"say \\\\"hi\\\\""}'`);
    expect(inlineParameters('select $1', [["it's"]])).toBe(`select '{"it''s"}'`);
  });

  it('writes objects as JSON', () => {
    expect(inlineParameters('select $1', [{ a: 1, b: "it's" }])).toBe(`select '{"a":1,"b":"it''s"}'`);
  });

  it('leaves $$ (dollar quoting) untouched', () => {
    const fn = 'create or replace function f() returns int language sql as $$ select 1 $$';
    expect(inlineParameters(fn, ['unused'])).toBe(fn);
    expect(inlineParameters('do $$ begin perform 1; end $$; select $1', ['x'])).toBe("do $$ begin perform 1; end $$; select 'x'");
  });

  it('maps $10 to the tenth value, not $1 followed by 0', () => {
    const values = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    expect(inlineParameters('select $1, $10', values)).toBe("select 'v1', 'v10'");
  });

  it('does not substitute inside substituted values', () => {
    expect(inlineParameters('select $1, $2', ['$2', 'b'])).toBe("select '$2', 'b'");
  });
});

/** The inlined SQL must mean exactly what the parameters meant: round-trip through a real database. */
describe('SimpleProtocolDb (round trip through the database)', () => {
  let db: TestDatabase;
  let simple: SimpleProtocolDb;

  beforeAll(async () => {
    db = await createTestDatabase();
    simple = new SimpleProtocolDb(db.url);
  });
  afterAll(async () => {
    await simple?.close();
    await db?.drop();
  });

  const one = async (sql: string, values: unknown[]) => ((await simple.executeSql(sql, values)).rows[0] as { v: unknown }).v;

  it('strings with quotes, backslashes, newlines and unicode come back unchanged', async () => {
    for (const s of ["O'Brien", 'a\\b', '\\\\', "'\\'", 'line1\nline2', 'emoji 💳 and ü', '$1 $$ $2', '"quoted"', '']) {
      expect(await one('select $1::text as v', [s]), JSON.stringify(s)).toBe(s);
    }
  });

  it('NULL is a real null', async () => {
    expect(await one('select $1::text is null as v', [null])).toBe(true);
    expect(await one('select $1::int is null as v', [undefined])).toBe(true);
  });

  it('dates keep their instant', async () => {
    const d = new Date('2026-11-25T12:34:56.789Z');
    const back = await one('select $1::timestamptz as v', [d]);
    expect(new Date(back as string | Date).getTime()).toBe(d.getTime());
  });

  it('arrays keep their elements, including quotes, backslashes, commas, braces and NULL', async () => {
    const arr = ['plain', 'with,comma', 'with "quotes"', 'back\\slash', "single'quote", '{braces}', null, ''];
    expect(await one('select $1::text[] as v', [arr])).toEqual(arr);
    expect(await one('select $1::int[] as v', [[1, 2, 3]])).toEqual([1, 2, 3]);
  });

  it('JSON objects keep their structure', async () => {
    const obj = { name: "it's \"x\" \\ y", nested: { list: [1, 'two', null], ok: true } };
    expect(await one('select $1::jsonb as v', [obj])).toEqual(obj);
  });

  it('a $$-quoted function body is sent as written', async () => {
    await simple.executeSql('create or replace function sp_test_answer(x int) returns int language sql as $$ select x + 1 $$', []);
    expect(await one('select sp_test_answer($1::int) as v', [41])).toBe(42);
  });
});
