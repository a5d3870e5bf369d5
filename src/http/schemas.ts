import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../lib/text.ts';

/**
 * Every text a client sends (body, query, path parameter, header) starts from `Text`: a string the
 * database can store (lib/text.ts), refused with 400 VALIDATION_FAILED naming the field otherwise, so
 * no such value ever reaches a statement. Chain the field's own rules after it (`Text.trim().max(100)`).
 */
export const Text = z.string().refine(isStorableText, { error: UNSTORABLE_TEXT_MESSAGE, abort: true });

/** Shared request fields. Business rules (password strength, consent) are checked by the domain, with clear words. */
export const Email = Text.trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ error: 'expected an e-mail address' }));
export const Password = Text.min(1, 'expected a password').max(1024, 'expected at most 1024 characters');
export const SecretToken = Text.min(10).max(200);
export const Cursor = Text.max(64);
export const Limit = z.coerce.number().int().min(1).max(100).default(50);
/** An object's id in a path (`/…/{id}`). */
export const IdParam = z.object({ id: Text.max(64) });
