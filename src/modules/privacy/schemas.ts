import { z } from 'zod';

/** The published privacy policy, as `GET /api/v1/privacy/policy` answers it (`Policy` is its type). */
export const PrivacyPolicy = z
  .object({
    version: z.string().describe('What clients send back as `policyVersion`: `<last updated>.<digest of the text>`'),
    lastUpdated: z.string().describe('ISO date (YYYY-MM-DD) the text last changed'),
    minimumAge: z.number().int(),
    text: z.string(),
  })
  .meta({ id: 'PrivacyPolicy' });
export type Policy = z.infer<typeof PrivacyPolicy>;
