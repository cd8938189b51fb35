/**
 * The managed_schema.json that Chrome and Edge need, generated from the zod
 * PolicySchema so that the two never drift apart.
 *
 * Chrome's policy schema is a small, strict dialect of JSON Schema
 * (components/policy/core/common/schema.cc): every schema has exactly one
 * `type` (array, boolean, integer, number, object, string) or a `$ref`; the
 * top level is an object without `additionalProperties`; `minimum`/`maximum`
 * only on integers, `enum` only on integers and strings, `pattern` only on
 * strings; `additionalProperties` must be a schema, never `false`; no
 * `anyOf`/`oneOf`/`allOf`, no `null` type. Other attributes are ignored.
 *
 * What matters more is what Chrome does with a value that does not fit: it
 * drops that whole top-level field before the extension sees it. A Chrome
 * schema as strict as zod would therefore turn an invalid policy into a
 * silently partial one (a typo in one preset would remove all presets, and
 * the rest would apply). So the generated schema is deliberately loose: it
 * declares the structure and JSON types only (which Chrome also needs to
 * convert Windows registry values), and zod, in the extension, checks
 * everything else and rejects the policy as a whole, with the field path.
 * It may be looser than zod, never stricter.
 */
import { z } from 'zod';
import { PolicySchema, type PolicyProblem } from './policy';

type ChromeType = 'array' | 'boolean' | 'integer' | 'number' | 'object' | 'string';

/** One node of a Chrome policy schema, in the subset this module emits. */
export interface ChromeSchema {
  type: ChromeType;
  description?: string;
  title?: string;
  properties?: Record<string, ChromeSchema>;
  items?: ChromeSchema;
  /** Chrome shows the value masked ("********") on chrome://policy. */
  sensitiveValue?: true;
}

type JsonSchema = Record<string, unknown>;

/**
 * Where the policy allows values of more than one JSON type, the one type
 * Chrome is told about (keyed by path, `[]` for array items). Every such
 * union must be listed here: the generator fails on one that is not.
 */
const UNION_TYPES: Readonly<Record<string, ChromeType>> = {
  // A date entry is a string ("2025-10-18/2025-10-26 Herfstvakantie") or an
  // object {from, to, name}; the string form expresses all of it.
  'noLessonDates[]': 'string',
};

const CHROME_TYPES: ReadonlySet<string> = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOfConst(value: unknown): ChromeType | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return undefined;
}

function describe(node: JsonSchema): string | undefined {
  const description = typeof node.description === 'string' ? node.description : undefined;
  if (description === undefined || !('default' in node)) return description;
  return `${description.replace(/\.?$/, '.')} Default: ${JSON.stringify(node.default)}.`;
}

/** Merges branches of one type (e.g. two kinds of string, or two object shapes). */
function mergeSameType(branches: ChromeSchema[], path: string): ChromeSchema {
  const [first, ...rest] = branches;
  if (first === undefined) throw new Error(`${path}: a union without branches`);
  return rest.reduce<ChromeSchema>((merged, branch) => {
    if (merged.type === 'object') {
      const properties: Record<string, ChromeSchema> = { ...merged.properties };
      for (const [key, schema] of Object.entries(branch.properties ?? {})) {
        const existing = properties[key];
        properties[key] = existing === undefined ? schema : mergeSameType([existing, schema], `${path}.${key}`);
      }
      return { ...merged, properties };
    }
    if (merged.type === 'array' && merged.items && branch.items) return { ...merged, items: mergeSameType([merged.items, branch.items], `${path}[]`) };
    return merged;
  }, first);
}

function convert(node: JsonSchema, path: string, root: JsonSchema, seen: ReadonlySet<string>, unionTypes: Readonly<Record<string, ChromeType>>): ChromeSchema {
  if (typeof node.$ref === 'string') {
    // zod inlines reused schemas by default; a $ref only appears for a
    // registered or recursive schema. Inline it (Chrome's own $ref/id would
    // also do, but the policy has no recursion that needs it).
    const ref = node.$ref;
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const defs = (root.$defs ?? root.definitions) as Record<string, JsonSchema> | undefined;
    const target = match ? defs?.[match[1]!] : undefined;
    if (!target || seen.has(ref)) throw new Error(`${path}: cannot inline ${ref}`);
    const inlined = convert(target, path, root, new Set([...seen, ref]), unionTypes);
    const description = describe(node);
    return description === undefined ? inlined : { ...inlined, description };
  }
  if (Array.isArray(node.allOf)) throw new Error(`${path}: allOf (an intersection) cannot be expressed for Chrome`);

  // zod writes a union of plain types as `type: [...]`: treat it as the union it is.
  const typeList = Array.isArray(node.type) ? (node.type as unknown[]).map((type): JsonSchema => ({ ...node, type })) : undefined;
  const branches = (node.anyOf ?? node.oneOf ?? typeList) as JsonSchema[] | undefined;
  let out: ChromeSchema;
  if (Array.isArray(branches)) {
    // Chrome has no null: a null value is simply not sent.
    const converted = branches.filter((branch) => branch.type !== 'null').map((branch) => convert(branch, path, root, seen, unionTypes));
    const types = [...new Set(converted.map((branch) => branch.type))];
    const chosen = types.length === 1 ? types[0]! : unionTypes[path];
    if (chosen === undefined) {
      throw new Error(`${path}: the policy allows ${types.join(' or ')} here, but Chrome needs one type. Choose one in UNION_TYPES (managed-schema.ts)`);
    }
    out = mergeSameType(
      converted.filter((branch) => branch.type === chosen),
      path,
    );
  } else {
    let type = node.type;
    if (type === undefined && 'const' in node) type = typeOfConst(node.const);
    if (type === undefined && Array.isArray(node.enum)) type = [...new Set(node.enum.map(typeOfConst))].length === 1 ? typeOfConst(node.enum[0]) : undefined;
    if (typeof type !== 'string' || !CHROME_TYPES.has(type)) throw new Error(`${path}: no single Chrome type for ${JSON.stringify(node)}`);
    out = { type: type as ChromeType };
    if (type === 'object' && isObject(node.properties)) {
      const properties: Record<string, ChromeSchema> = {};
      for (const [key, child] of Object.entries(node.properties)) {
        if (isObject(child)) properties[key] = convert(child, path === '' ? key : `${path}.${key}`, root, seen, unionTypes);
      }
      out.properties = properties;
    }
    if (type === 'array') {
      if (!isObject(node.items)) throw new Error(`${path}: an array needs one schema for its items`);
      out.items = convert(node.items, `${path}[]`, root, seen, unionTypes);
    }
  }

  // Documentation and masking survive; every restriction (pattern, enum,
  // minimum, required, …) is left to zod, on purpose: see the header.
  const description = describe(node);
  return {
    type: out.type,
    ...(typeof node.title === 'string' ? { title: node.title } : {}),
    ...(description !== undefined ? { description } : out.description !== undefined ? { description: out.description } : {}),
    ...(node.sensitiveValue === true || out.sensitiveValue ? { sensitiveValue: true as const } : {}),
    ...(out.properties ? { properties: out.properties } : {}),
    ...(out.items ? { items: out.items } : {}),
  };
}

/**
 * Converts a zod schema (as IT writes values for it: `io: 'input'`) into
 * Chrome's dialect: structure, JSON types, descriptions (with defaults) and
 * `sensitiveValue`. Throws when the schema uses a construct that Chrome
 * cannot express and `unionTypes` does not say how to express it.
 */
export function toChromeSchema(schema: z.ZodType, unionTypes: Readonly<Record<string, ChromeType>> = UNION_TYPES): ChromeSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw', target: 'draft-2020-12' }) as JsonSchema;
  return convert(json, '', json, new Set(), unionTypes);
}

/** The Chrome/Edge policy schema for storage.managed (manifest/managed_schema.json), generated from PolicySchema. */
export function managedSchema(): ChromeSchema {
  const schema = toChromeSchema(PolicySchema);
  if (schema.type !== 'object' || schema.properties === undefined) throw new Error('the policy must be an object with properties');
  return {
    type: 'object',
    description: 'Lesmodus: school-wide classroom browsing rules. Validated in full by the extension; see its status page and `npm run policy -- check`.',
    properties: schema.properties,
  };
}

// ---------------------------------------------------------------------------
// What Chrome would do with a policy: used by `npm run policy -- check`, so
// that IT learns before pushing that Chrome would drop part of it.

interface ManagedCheck {
  /** Top-level fields Chrome and Edge would drop because a value does not fit the schema. */
  readonly dropped: readonly PolicyProblem[];
  /** Fields the schema does not know: Chrome drops them, and Lesmodus would ignore them anyway. Usually typos. */
  readonly unknown: readonly PolicyProblem[];
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Chrome's JSON reader makes whole numbers that fit 32 bits integers, everything else doubles. */
function fits(type: ChromeType, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return typeof value === type;
  }
}

/** Like Chrome's Schema::Normalize with SCHEMA_ALLOW_UNKNOWN: the first misfit fails the field; unknown keys are dropped. */
function walk(schema: ChromeSchema, value: unknown, path: string, unknown: PolicyProblem[]): PolicyProblem | null {
  if (!fits(schema.type, value)) return { path, message: `expected ${schema.type}, got ${jsonTypeName(value)}` };
  if (schema.type === 'array') {
    const items = value as unknown[];
    for (let index = 0; index < items.length; index++) {
      const misfit = walk(schema.items!, items[index], `${path}.${index}`, unknown);
      if (misfit) return misfit;
    }
  } else if (schema.type === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = schema.properties?.[key];
      if (childSchema === undefined) {
        unknown.push({ path: `${path}.${key}`, message: 'unknown field: ignored' });
        continue;
      }
      const misfit = walk(childSchema, child, `${path}.${key}`, unknown);
      if (misfit) return misfit;
    }
  }
  return null;
}

/**
 * Checks a policy (plain form) the way Chrome and Edge do before the
 * extension sees it. Chrome does not reject a policy as a whole: it drops
 * each top-level field whose value does not fit, and passes on the rest.
 */
export function checkManagedPolicy(policy: unknown, schema: ChromeSchema = managedSchema()): ManagedCheck {
  if (!isObject(policy)) return { dropped: [{ path: '(root)', message: `expected object, got ${jsonTypeName(policy)}` }], unknown: [] };
  const dropped: PolicyProblem[] = [];
  const unknown: PolicyProblem[] = [];
  for (const [key, value] of Object.entries(policy)) {
    const fieldSchema = schema.properties?.[key];
    if (fieldSchema === undefined) {
      unknown.push({ path: key, message: 'not a Lesmodus policy field: ignored (a typo?)' });
      continue;
    }
    const fieldUnknown: PolicyProblem[] = [];
    const misfit = walk(fieldSchema, value, key, fieldUnknown);
    if (misfit) dropped.push({ path: misfit.path, message: `${misfit.message}: Chrome and Edge drop the whole "${key}" field` });
    else unknown.push(...fieldUnknown);
  }
  return { dropped, unknown };
}
