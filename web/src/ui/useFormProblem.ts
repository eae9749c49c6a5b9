import { useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from './announcer';
import type { Problem } from './errors';

/**
 * A form's failed submission: a problem with one field shows at that field, which gets the
 * focus; any other problem shows in the page's alert region.
 */
export function useFormProblem() {
  const { t } = useI18n();
  const { announce, focusMessage } = useAnnouncer();
  const [problem, setProblem] = useState<Problem | null>(null);
  return {
    /** The problem with `field`, to show at it. */
    at: (field: string) => (problem?.field === field ? problem.message : undefined),
    clear: () => setProblem(null),
    report: (reported: Problem, form: HTMLFormElement) => {
      setProblem(reported);
      if (!reported.field) {
        announce(reported.message, 'failure');
        focusMessage();
        return;
      }
      announce(t('error.BAD_USER_INPUT'), 'failure');
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    },
  };
}
