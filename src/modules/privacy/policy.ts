import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { instanceSettings } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import { REVISION, renderPolicy } from './policy-text.ts';
import type { Policy } from './schemas.ts';

export type { Policy };

interface Recorded {
  digest: string;
  since: string;
}

/**
 * The current policy. The first instance to render a new text records since when it applies, so
 * every instance reports the same "last updated" date, and a settings change (say SMS storage) gets
 * a new version and date that customers are asked to accept, exactly like an edited text (P14).
 */
export async function loadCurrentPolicy(db: Db, config: Config, clock: Clock): Promise<Policy> {
  const text = renderPolicy(config);
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 8);
  const today = clock.now().toISOString().slice(0, 10);
  await db
    .insert(instanceSettings)
    .values({ key: `privacy_policy:${digest}`, value: { digest, since: today > REVISION ? today : REVISION }, updatedAt: clock.now() })
    .onConflictDoNothing();
  const [row] = await db
    .select()
    .from(instanceSettings)
    .where(eq(instanceSettings.key, `privacy_policy:${digest}`));
  const recorded = row?.value as Recorded | undefined;
  const lastUpdated = recorded?.since ?? REVISION;
  return { version: `${lastUpdated}.${digest}`, lastUpdated, minimumAge: config.minAge, accountKinds: [...config.accountKinds], text };
}
