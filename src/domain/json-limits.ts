// Limits for the free-form JSON objects the app may store on a row (safety_contacts.custom_metadata):
// small, flat enough to show, and never a place to smuggle a document. Pure.

export interface JsonLimits {
  /** Serialized size (JSON.stringify, UTF-8 bytes). */
  maxBytes: number;
  /** Keys at any level. */
  maxKeys: number;
  /** Longest key. */
  maxKeyLength: number;
  /** Nesting: 1 = a flat object of scalars. */
  maxDepth: number;
}

/** safety_contacts.custom_metadata: 4 KB, 32 keys of up to 64 characters, objects/lists nested 3 deep. */
export const CONTACT_METADATA_LIMITS: JsonLimits = { maxBytes: 4096, maxKeys: 32, maxKeyLength: 64, maxDepth: 3 };

const KEY = /^[A-Za-z0-9_.-]+$/;

/**
 * Why the object breaks the limits, or null when it fits.
 * @example jsonObjectProblem({ nickname: 'Sam' }, CONTACT_METADATA_LIMITS) // null
 */
export function jsonObjectProblem(value: Record<string, unknown>, limits: JsonLimits): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > limits.maxBytes) return `at most ${limits.maxBytes} bytes as JSON (got ${bytes})`;
  let keys = 0;
  const walk = (node: unknown, depth: number): string | null => {
    if (node === null || typeof node !== 'object') return null;
    if (depth > limits.maxDepth) return `nested at most ${limits.maxDepth} levels deep`;
    const entries = Array.isArray(node) ? node.map((v) => [null, v] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      if (key !== null) {
        keys += 1;
        if (keys > limits.maxKeys) return `at most ${limits.maxKeys} keys`;
        if (key.length > limits.maxKeyLength || !KEY.test(key))
          return `keys are 1-${limits.maxKeyLength} characters of letters, digits, "_", "-" or "."`;
      }
      const problem = walk(child, depth + 1);
      if (problem) return problem;
    }
    return null;
  };
  return walk(value, 1);
}
