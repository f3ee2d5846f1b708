/**
 * Puts a mutation's userErrors beside the form fields they concern.
 *
 * The server names the field of a refusal as a path into the mutation's
 * arguments, e.g. ["input", "items", "1", "quantity"]. Forms (Mantine's
 * useForm) name their fields with dotted paths ("items.1.quantity"). One
 * helper translates between the two; what it cannot place on a field is
 * returned as a general message, shown above the form, so no refusal is lost.
 */

import type { CombinedError } from 'urql';

/** The GraphQL `UserError`, as any payload returns it. */
export interface UserErrorLike {
  code: string;
  field?: readonly string[] | null | undefined;
  message: string;
}

export interface MappedUserErrors {
  /** Form path → message; several errors on one field are joined. */
  fields: Record<string, string>;
  /** Errors without a field, or whose field the form does not show. */
  general: string[];
}

/**
 * Decides the form path of a server field path (already without the leading
 * "input"), or undefined when the form has no such field.
 */
export type FieldTranslator = (path: readonly string[]) => string | undefined;

/** The server path as the form would name it: "input" dropped, joined by dots. */
export function formPathOf(field: readonly string[] | null | undefined): string | undefined {
  if (!field || field.length === 0) {
    return undefined;
  }
  const parts = field[0] === 'input' ? field.slice(1) : field;
  return parts.length === 0 ? undefined : parts.join('.');
}

/**
 * A translator for forms whose field names match the input's: the path is
 * accepted when it, or one of its prefixes, is one of `fields`. Prefixes let
 * ["input","billingAddress","country"] land on "billingAddress.country" or,
 * failing that, on "billingAddress".
 */
export function fieldsNamed(fields: Iterable<string>): FieldTranslator {
  const known = new Set(fields);
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const candidate = path.slice(0, n).join('.');
      if (known.has(candidate)) {
        return candidate;
      }
    }
    return undefined;
  };
}

/** Sorts userErrors into field messages and general messages. */
export function mapUserErrors(errors: readonly UserErrorLike[], translate: FieldTranslator): MappedUserErrors {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors) {
    const path = formPathOf(error.field);
    const target = path === undefined ? undefined : translate(path.split('.'));
    if (target === undefined) {
      general.push(error.message);
      continue;
    }
    const existing = fields[target];
    fields[target] = existing === undefined ? error.message : `${existing}; ${error.message}`;
  }
  return { fields, general };
}

/**
 * Why a mutation did not go through, in one line: the server's GraphQL or
 * transport error first, else its user errors joined; undefined (or '') when
 * nothing was refused.
 */
export function refusalOf(error: CombinedError | undefined, userErrors?: readonly { message: string }[]): string | undefined {
  return error?.graphQLErrors[0]?.message ?? error?.message ?? userErrors?.map((e) => e.message).join('; ');
}
