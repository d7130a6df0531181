/** A keyset page: `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** `rows` was fetched with `limit + 1`: the extra row only says there is more. */
export function toPage<R, T>(rows: R[], limit: number, cursorOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const data = rows.slice(0, limit);
  return { data: data.map(map), nextCursor: rows.length > limit ? cursorOf(data[data.length - 1]!) : null };
}
