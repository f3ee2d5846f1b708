import type { UseFormReturnType } from '@mantine/form';
import { useState } from 'react';
import { mapUserErrors } from '../../lib/userErrors';
import type { MutationOutcome } from './types';

/** Which button of a fulfil or refund dialog is at work: the chosen lines, or everything. */
export type LineSubmitKind = 'lines' | 'all';

/** Maps a server path of the submitted lines (["items", "0", "quantity"]) to the form row's field. */
export function lineFieldTranslator(rows: readonly number[], field = 'quantity') {
  return (path: readonly string[]): string | undefined => {
    if (path[0] !== 'items' || path[1] === undefined) {
      return undefined;
    }
    const row = rows[Number(path[1])];
    if (row === undefined) {
      return undefined;
    }
    const leaf = path[2] === 'refundType' ? 'refundType' : field;
    return `items.${row}.${leaf}`;
  };
}

/**
 * The submit of the fulfil and refund dialogs: `run` calls the mutation; when
 * nothing is refused it resets the form and calls onDone, otherwise it shows each
 * refusal beside its line (rows: the form row of each submitted line) or, without
 * one, in `general`. `busy` says which button is at work.
 */
export function useLineSubmit<V>(form: UseFormReturnType<V>, onDone: () => void) {
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState<LineSubmitKind | null>(null);
  const run = async (which: LineSubmitKind, action: () => Promise<{ errors: MutationOutcome; rows: readonly number[] }>) => {
    setGeneral([]);
    setBusy(which);
    try {
      const { errors, rows } = await action();
      if (errors.length === 0) {
        form.reset();
        onDone();
        return;
      }
      const mapped = mapUserErrors(errors, lineFieldTranslator(rows));
      form.setErrors(mapped.fields);
      setGeneral(mapped.general);
    } catch (error) {
      setGeneral([error instanceof Error ? error.message : String(error)]);
    } finally {
      setBusy(null);
    }
  };
  return { general, setGeneral, busy, run };
}
