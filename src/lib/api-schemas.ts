import { z } from 'zod';

/**
 * A moment in an API response, for the modules' response schemas: a `Date` in code (the module's view
 * type), written as ISO 8601 by the serialiser and documented as a `date-time` string in /openapi.json.
 */
export const Timestamp = z.date();

/** A moment a view already holds as ISO 8601 text (an order's view is serialised as built, see activations/view.ts). */
export const IsoTimestamp = z.iso.datetime();

/** Pages of a list: the cursor of the next page, null on the last. */
export const NextCursor = z.string().nullable();
