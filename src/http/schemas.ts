import { z } from 'zod';
import { isId } from '../lib/ids.ts';
import {
  CONTROL_IN_LINE_MESSAGE,
  CONTROL_IN_PROSE_MESSAGE,
  isPlainLine,
  isPlainProse,
  isStorableText,
  UNSTORABLE_TEXT_MESSAGE,
} from '../lib/text.ts';

/**
 * Every text a client sends (body, query, path parameter, header) starts from `Text`: a string the
 * database can store (lib/text.ts), refused with 400 VALIDATION_FAILED naming the field otherwise, so
 * no such value ever reaches a statement. Chain the field's own rules after it (`Text.trim().max(100)`).
 */
export const Text = z.string().refine(isStorableText, { error: UNSTORABLE_TEXT_MESSAGE, abort: true });
/** One line a person typed (a name, a subject, a description): no control characters at all. */
export const Line = Text.refine(isPlainLine, { error: CONTROL_IN_LINE_MESSAGE, abort: true });
/**
 * Why staff do something (kept in the audit log, often shown to the customer): one line with something
 * visible in it — a reason of spaces or of zero-width characters says nothing.
 */
export const StaffReason = Line.trim()
  .min(3)
  .max(500)
  .refine((value) => VISIBLE.test(value.replace(BLANK_LOOKING, '')), { error: 'expected a reason in words' });
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
/** Letters and symbols that show as nothing: the Hangul fillers, the Braille blank. */
const BLANK_LOOKING = /[\u115f\u1160\u3164\uffa0\u2800]/g;
/**
 * Why staff read a customer's data (`X-Access-Reason` or `?reason=`), optional: kept in the customer's
 * "who accessed my data" log, so one line without control characters, as the reasons of staff actions.
 */
export const AccessReason = Line.trim().max(500).optional();
/** What a person wrote (a message, a request's details): line breaks and tabs, no other control characters. */
export const Prose = Text.refine(isPlainProse, { error: CONTROL_IN_PROSE_MESSAGE, abort: true });

/** Shared request fields. Business rules (password strength, consent) are checked by the domain, with clear words. */
export const Email = Text.trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ error: 'expected an e-mail address' }));
export const Password = Text.min(1, 'expected a password').max(1024, 'expected at most 1024 characters');
export const SecretToken = Text.min(10).max(200);
const NOT_A_CURSOR = 'expected the nextCursor of a previous page';
/**
 * A page's cursor that is the id of the last object shown (`act_…`): anything else is refused, rather
 * than read as a position (an empty page, which looks like the end, or the first page again).
 */
export const idCursor = (prefix: string) => Text.max(64).refine((value) => isId(value, prefix), { error: NOT_A_CURSOR });
/** A page's cursor that is a position in a sequence (the ledger's entries). */
export const NumberCursor = Text.regex(/^\d{1,18}$/, NOT_A_CURSOR);
/** The `Idempotency-Key` header of a request that creates something: a retry with the same key gets the first answer. */
export const IdempotencyKey = Text.min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .optional();
export const Limit = z.coerce.number().int().min(1).max(100).default(50);
/** An object's id in a path (`/…/{id}`). */
export const IdParam = z.object({ id: Text.max(64) });
