import type { FieldError } from "../http/problem.js";
import { AuthConfigError } from "../options/config-error.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/** One extra user field: how to validate it, and whether sign-up must send it. */
export type UserFieldDefinition = {
  /** Any Standard Schema validator (zod, valibot, arktype…); its output is what is stored. */
  schema: StandardSchemaV1;
  /** Sign-up answers 422 without it (default false). */
  required?: boolean;
  /** Shown in `user` answers (default true); a private field is stored but never sent. */
  public?: boolean;
};

/**
 * The host's extra user fields, by name. They are accepted at sign-up next to `email`,
 * `password` and `name`, stored in the user's `fields`, and handed to claims providers.
 *
 * @example
 * userFields: { company: { schema: z.string().trim().max(100) }, plan: { schema: z.enum(["free", "pro"]), public: true } }
 */
export type UserFieldDefinitions = Readonly<Record<string, UserFieldDefinition>>;

const FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;
/** Names the core's bodies and answers already use. */
const RESERVED = new Set(["id", "email", "password", "name", "role", "createdAt", "fields"]);

/** Throws an `AuthConfigError` for an unusable definition. */
export function checkUserFieldDefinitions(fields: UserFieldDefinitions): void {
  for (const [name, definition] of Object.entries(fields)) {
    const option = `userFields.${name}`;
    if (!FIELD_NAME.test(name)) {
      throw new AuthConfigError(option, "names are a letter then up to 39 letters, digits or `_`");
    }
    if (RESERVED.has(name) || name in Object.prototype) {
      throw new AuthConfigError(option, "is a name the core or JavaScript objects use");
    }
    const validate = (definition as Partial<UserFieldDefinition> | undefined)?.schema?.["~standard"]
      ?.validate;
    if (typeof validate !== "function") {
      throw new AuthConfigError(`${option}.schema`, "must be a Standard Schema validator (zod…)");
    }
  }
}

/**
 * Validates the extra fields of a sign-up body: each declared field through its schema, the
 * required ones present. Returns the values to store, or the field errors for a 422.
 */
export async function validateUserFields(
  definitions: UserFieldDefinitions,
  body: Readonly<Record<string, unknown>>,
): Promise<{ values: Record<string, unknown> } | { errors: FieldError[] }> {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, definition] of Object.entries(definitions)) {
    const value = Object.hasOwn(body, name) ? body[name] : undefined;
    if (value === undefined) {
      if (definition.required) errors.push({ pointer: `/${name}`, detail: "is required" });
      continue;
    }
    const result = await definition.schema["~standard"].validate(value);
    if (result.issues) {
      for (const issue of result.issues)
        errors.push({ pointer: `/${name}`, detail: issue.message });
    } else {
      values[name] = result.value;
    }
  }
  return errors.length > 0 ? { errors } : { values };
}

/** The fields a user answer shows. */
export function publicUserFields(
  definitions: UserFieldDefinitions,
  stored: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (definition.public !== false && stored[name] !== undefined) shown[name] = stored[name];
  }
  return shown;
}
