/**
 * Component tests (the files that opt into happy-dom) wait for the page with testing-library's
 * `waitFor` / `findBy…`. Their default of 1 s is a timing: on a loaded CI machine (the PostgreSQL pass
 * runs beside spawned servers) a render that takes 100 ms alone has taken over a second. The wait is
 * for a condition, not a measure, so it gets the room a busy machine needs; a page that never shows
 * what it should still fails, after 5 s.
 */
if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/react');
  configure({ asyncUtilTimeout: 5_000 });
}
