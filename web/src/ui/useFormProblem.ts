import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { useAnnouncer } from './announcer';
import { describeProblem, type Problem } from './errors';

/**
 * A form's submission and its failure: a problem with one field shows at that field, which gets
 * the focus; any other problem shows in the page's alert region.
 */
export function useFormProblem() {
  const { t } = useI18n();
  const { announce, focusMessage } = useAnnouncer();
  const [problem, setProblem] = useState<Problem | null>(null);
  const report = (reported: Problem, form: HTMLFormElement) => {
    setProblem(reported);
    if (!reported.field) {
      announce(reported.message, 'failure');
      focusMessage();
      return;
    }
    announce(t('error.BAD_USER_INPUT'), 'failure');
    requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };
  return {
    /** The problem with `field`, to show at it. */
    at: (field: string) => (problem?.field === field ? problem.message : undefined),
    /** The form's submit handler: `send` gets the form's values; what it throws is reported. */
    onSubmit: (send: (values: FormData, form: HTMLFormElement) => Promise<void>) => async (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const form = event.currentTarget;
      setProblem(null);
      try {
        await send(new FormData(form), form);
      } catch (error) {
        report(describeProblem(error, t), form);
      }
    },
  };
}
