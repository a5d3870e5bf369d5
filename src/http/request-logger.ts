import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';

type LogArgs = [unknown, ...unknown[]];
type LevelMethod = (...args: LogArgs) => void;

/**
 * A request's logger that becomes a real pino child (with the request id bound) only when something
 * is logged through it. Fastify makes a child logger for every request; most requests log nothing of
 * their own (the completion line is written by `RequestCompletion` (app.ts) with the id as a field), and on the path
 * clients poll hardest the child — an object, its bindings serialised, its level methods set up —
 * was a measurable share of the request.
 */
export class LazyRequestLogger {
  #child: Logger | undefined;
  // One method per pino level, all alike: defined on the prototype below.
  declare fatal: LevelMethod;
  declare error: LevelMethod;
  declare warn: LevelMethod;
  declare info: LevelMethod;
  declare debug: LevelMethod;
  declare trace: LevelMethod;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  get #real(): Logger {
    this.#child ??= this.parent.child(this.bindings);
    return this.#child;
  }

  get level(): LevelWithSilentOrString {
    return (this.#child ?? this.parent).level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#real.level = level;
  }

  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    return (this.#child ?? this.parent).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#real.child(bindings, options);
  }

  /** What `fatal`, `error`, … `trace` do (defined on the prototype below). */
  write(level: Level, args: LogArgs): void {
    if (!this.isLevelEnabled(level)) return;
    (this.#real[level] as (...values: unknown[]) => void)(...args);
  }

  silent(): void {}

  /**
   * One line with `fields`, as the child would write it (its bindings first), without making the
   * child when there is none yet: the request's completion line.
   */
  line(level: Level, fields: Record<string, unknown>, message: string): void {
    if (!this.isLevelEnabled(level)) return;
    if (this.#child) this.#child[level](fields, message);
    else this.parent[level]({ ...this.bindings, ...fields }, message);
  }
}

for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) {
  LazyRequestLogger.prototype[level] = function (this: LazyRequestLogger, ...args: LogArgs) {
    this.write(level, args);
  };
}

/**
 * Fastify's `childLoggerFactory`: the lazy logger, unless the route sets its own level or serializers
 * (then a real child at once, as Fastify would make).
 */
export function requestLoggerFactory(logger: Logger, bindings: Bindings, options: ChildLoggerOptions): Logger {
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options);
  return new LazyRequestLogger(logger, bindings) as unknown as Logger;
}
