import { z } from 'zod';

/** Shared request fields. Business rules (password strength, consent) are checked by the domain, with clear words. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ error: 'expected an e-mail address' }));
export const Password = z.string().min(1, 'expected a password').max(1024, 'expected at most 1024 characters');
export const SecretToken = z.string().min(10).max(200);
export const Cursor = z.string().max(64);
export const Limit = z.coerce.number().int().min(1).max(100).default(50);
