import { CombinedGraphQLErrors, CombinedProtocolErrors, ServerError } from '@apollo/client/errors';
import type { Translate } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

/** What the user is told about a failed operation: one sentence, and the form field it is about, if any. */
export interface Problem {
  message: string;
  /** The input field the server named (BAD_USER_INPUT, CONFLICT), e.g. `price` for `input.price`. */
  field?: string;
}

interface CodedError {
  message: string;
  extensions?: Record<string, unknown> | undefined;
}

const CODES_WITH_TEXT = new Set([
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'CONFLICT',
  'INSUFFICIENT_STOCK',
  'DISH_UNAVAILABLE',
  'INVALID_TRANSITION',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
]);

function firstCodedError(error: unknown): CodedError | undefined {
  if (CombinedGraphQLErrors.is(error) || CombinedProtocolErrors.is(error)) return error.errors[0] as CodedError | undefined;
  return undefined;
}

/**
 * The message for a failed operation, by its contract error code (never by the server's English
 * text, except where that text is the explanation: a field's problem, a refusal's reason).
 * `dishName` names a dish by id, for the stock and availability errors.
 */
export function describeProblem(error: unknown, t: Translate, dishName: (id: string) => string | undefined = () => undefined): Problem {
  const coded = firstCodedError(error);
  if (!coded) {
    return { message: t(ServerError.is(error) || error instanceof TypeError ? 'error.network' : 'error.unknown') };
  }
  const code = String(coded.extensions?.['code'] ?? '');
  const field = typeof coded.extensions?.['field'] === 'string' ? coded.extensions['field'].replace(/^input\./, '') : undefined;
  switch (code) {
    case 'BAD_USER_INPUT':
      // The server's message leads with the field's path: the rest is the problem with its value.
      return { message: coded.message.replace(/^[^:]*:\s*/, ''), ...(field ? { field } : {}) };
    case 'FORBIDDEN':
      return { message: coded.message || t('error.FORBIDDEN') };
    case 'INSUFFICIENT_STOCK':
    case 'DISH_UNAVAILABLE': {
      const dishId = String(coded.extensions?.['dishId'] ?? '');
      return { message: t(`error.${code}`, { dish: dishName(dishId) ?? t('error.aDish') }) };
    }
    case 'RATE_LIMITED':
      return { message: t('error.RATE_LIMITED', { seconds: Number(coded.extensions?.['retryAfterSeconds'] ?? 1) }) };
    default:
      if (CODES_WITH_TEXT.has(code)) return { message: t(`error.${code}` as MessageKey), ...(field ? { field } : {}) };
      return { message: t('error.unknown') };
  }
}
