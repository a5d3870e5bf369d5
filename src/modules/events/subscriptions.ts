/** A webhook endpoint subscribed to `*` receives every account event, including those added later. */
export const ALL_EVENTS = '*';
