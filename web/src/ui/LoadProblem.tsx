import { useI18n } from '../i18n/i18n';
import { describeProblem } from './errors';

/** A page's data could not be loaded: say why, instead of showing an empty page. */
export function LoadProblem({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return <p className="form-error" role="alert">{describeProblem(error, t).message}</p>;
}
