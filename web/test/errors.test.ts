import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { describe, expect, it } from 'vitest';
import { initialLanguage, translator } from '../src/i18n/i18n';
import { en, ru } from '../src/i18n/messages';
import { describeProblem } from '../src/ui/errors';

const graphQLError = (message: string, extensions: Record<string, unknown>) => new CombinedGraphQLErrors({ errors: [{ message, extensions }] });
const dishes: Record<string, string> = { d1: 'Tiramisù' };
const dishName = (id: string) => dishes[id];

describe('describeProblem', () => {
  const t = translator('en');

  it('names the dish that is out of stock or unavailable', () => {
    expect(describeProblem(graphQLError('Not enough stock', { code: 'INSUFFICIENT_STOCK', dishId: 'd1' }), t, dishName).message).toBe(
      'Not enough Tiramisù in stock: lower the quantity.',
    );
    expect(describeProblem(graphQLError('Unavailable', { code: 'DISH_UNAVAILABLE', dishId: 'd1' }), translator('ru'), dishName).message).toBe(
      '«Tiramisù» больше нет в продаже: уберите из корзины.',
    );
  });

  it('puts a bad input at its field, with the server’s problem', () => {
    expect(describeProblem(graphQLError('input.price: must be greater than 0.00', { code: 'BAD_USER_INPUT', field: 'input.price' }), t)).toEqual({
      message: 'must be greater than 0.00',
      field: 'price',
    });
  });

  it('says when to retry, shows the server’s reason for a refusal, and tells a lost connection apart', () => {
    expect(describeProblem(graphQLError('Too many', { code: 'RATE_LIMITED', retryAfterSeconds: 30 }), t).message).toBe('Too many attempts: try again in 30 s.');
    expect(describeProblem(graphQLError('You are the last manager: make someone else MANAGER first', { code: 'FORBIDDEN' }), t).message).toMatch(/last manager/);
    expect(describeProblem(new ServerError('Bad gateway', { response: new Response(null, { status: 502 }), bodyText: '' }), t).message).toBe(en['error.network']);
    expect(describeProblem(graphQLError('?', { code: 'INTERNAL_SERVER_ERROR' }), t).message).toBe(en['error.unknown']);
  });
});

describe('language', () => {
  it('follows the browser unless the user chose one here', () => {
    expect(initialLanguage(null, ['ru-RU', 'en'])).toBe('ru');
    expect(initialLanguage(null, ['de-DE', 'en-GB'])).toBe('en');
    expect(initialLanguage(null, ['fr'])).toBe('en');
    expect(initialLanguage('en', ['ru-RU'])).toBe('en');
  });

  it('has every message in Russian, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ru[key].match(/\{\w+\}/g)?.sort(), key).toEqual(en[key].match(/\{\w+\}/g)?.sort());
    }
  });
});
