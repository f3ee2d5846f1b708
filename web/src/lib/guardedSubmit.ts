import { useState } from 'react';

/**
 * The refusal lines and spinner of a form whose submit may be refused or may
 * throw (the server is out of reach): a throw becomes the one refusal line,
 * and the spinner stops either way.
 */
export function useGuardedSubmit() {
  const [general, setGeneral] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const guard = async (work: () => Promise<void>) => {
    setGeneral([]);
    setSubmitting(true);
    try {
      await work();
    } catch (error) {
      setGeneral([error instanceof Error ? error.message : String(error)]);
    } finally {
      setSubmitting(false);
    }
  };
  return { general, setGeneral, submitting, guard };
}
