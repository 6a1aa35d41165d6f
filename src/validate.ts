/**
 * Argument checks shared by every primitive. Each names the parameter: a value of
 * the wrong type is a TypeError, a number out of range a RangeError (API.md,
 * Conventions).
 */

/** Milliseconds, as the backend takes them: -1 = forever, 0 = do not block. */
export type Millis = number;

export const FOREVER: Millis = -1;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string ('${value.length > 20 ? `${value.slice(0, 20)}…` : value}')`;
  if (typeof value === 'bigint') return `a bigint (${value}n)`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value === 'object' ? 'an object' : typeof value}`;
}

export function typeError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${name} must be ${expected}, got ${describe(value)}`);
}

/** A timeout in ms: undefined, -1 or Infinity wait forever; other negatives and NaN are RangeErrors. */
export function checkTimeout(value: unknown, name = 'timeout'): Millis {
  if (value === undefined) return FOREVER;
  if (typeof value !== 'number') throw typeError(name, 'a number of milliseconds', value);
  if (Number.isNaN(value)) throw new RangeError(`${name} must not be NaN`);
  if (value === -1 || value === Infinity) return FOREVER;
  if (value < 0) throw new RangeError(`${name} must be a non-negative number of milliseconds or -1, got ${value}`);
  return value;
}

/** A non-negative duration in ms (for sleep). */
export function checkDuration(value: unknown, name: string): number {
  if (typeof value !== 'number') throw typeError(name, 'a number of milliseconds', value);
  if (Number.isNaN(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/** An integer in [min, max]. */
export function checkInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') throw typeError(name, 'an integer', value);
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${value}`);
  if (value < min || value > max) {
    throw new RangeError(`${name} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, got ${value}`);
  }
  return value;
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean', value);
  return value;
}

export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError(name, 'a string', value);
  return value;
}

/** An options object (or undefined), with no keys other than `allowed`. */
export function checkOptions<K extends string>(
  value: unknown,
  name: string,
  allowed: readonly K[],
): Partial<Record<K, unknown>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw typeError(name, `an options object ({ ${allowed.join(', ')} })`, value);
  }
  for (const key of Object.keys(value)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new TypeError(`${name} has an unknown option '${key}' (known: ${allowed.join(', ')})`);
    }
  }
  return value as Partial<Record<K, unknown>>;
}

/**
 * Rejects calls with more arguments than the method takes. `given` is the
 * caller's `arguments.length`: passing `arguments` itself would make V8 build
 * that object on every call wherever this is not inlined.
 */
export function checkArity(given: number, max: number, method: string): void {
  if (given > max) {
    throw new TypeError(`${method} takes at most ${max} argument${max === 1 ? '' : 's'}, got ${given}`);
  }
}

export function checkSignal(value: unknown, name = 'signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw typeError(name, 'an AbortSignal', value);
  return value;
}

const RESOURCE_LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

/** Node's Worker resourceLimits: each given one a positive, finite number of megabytes. */
export function checkResourceLimits(
  value: unknown,
  name: string,
): Partial<Record<(typeof RESOURCE_LIMITS)[number], number>> | undefined {
  if (value === undefined) return undefined;
  const raw = checkOptions(value, name, RESOURCE_LIMITS);
  const limits: Partial<Record<(typeof RESOURCE_LIMITS)[number], number>> = {};
  for (const key of RESOURCE_LIMITS) {
    const mb = raw[key];
    if (mb === undefined) continue;
    if (typeof mb !== 'number') throw typeError(`${name}.${key}`, 'a number of megabytes', mb);
    if (!(mb > 0) || !Number.isFinite(mb)) {
      throw new RangeError(`${name}.${key} must be a positive, finite number of megabytes, got ${mb}`);
    }
    limits[key] = mb;
  }
  return limits;
}
