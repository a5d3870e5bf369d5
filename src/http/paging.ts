/**
 * A page of a list read with one row more than asked for (`limit + 1`): the extra row is not shown, it
 * only says that another page exists. So the last page says `nextCursor: null` without a further
 * request coming back empty, and without a count.
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : cursorOf(last) };
}
