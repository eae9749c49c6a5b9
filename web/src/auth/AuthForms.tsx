import { useMutation } from '@apollo/client/react';
import { useI18n } from '../i18n/i18n';
import { Link, navigate } from '../app/router';
import { Field } from '../ui/Field';
import { useFormProblem } from '../ui/useFormProblem';
import { LoginDocument, RegisterDocument } from './operations';
import { useSession } from './SessionProvider';

function useSignedInAfter() {
  const { signIn } = useSession();
  return async (grant: Parameters<typeof signIn>[0]) => {
    await signIn(grant);
    navigate(grant.user.role === 'CUSTOMER' ? 'menu' : grant.user.role === 'CHEF' ? 'kitchen' : 'dishes');
  };
}

export function SignInPage() {
  const { t } = useI18n();
  const [login, { loading }] = useMutation(LoginDocument);
  const form = useFormProblem();
  const signedIn = useSignedInAfter();
  const onSubmit = form.onSubmit(async (values) => {
    const { data } = await login({ variables: { input: { email: String(values.get('email')), password: String(values.get('password')) } } });
    if (data) await signedIn(data.login);
  });
  return (
    <section className="narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('auth.signInTitle')}</h1>
      <form onSubmit={onSubmit} className="stack">
        <Field label={t('auth.email')} name="email" type="email" autoComplete="email" required error={form.at('email')} />
        <Field label={t('auth.password')} name="password" type="password" autoComplete="current-password" required />
        <button type="submit" className="primary" disabled={loading}>{t('auth.signIn')}</button>
      </form>
      <p>{t('auth.noAccount')} <Link to="register">{t('nav.register')}</Link></p>
    </section>
  );
}

export function RegisterPage() {
  const { t } = useI18n();
  const [register, { loading }] = useMutation(RegisterDocument);
  const form = useFormProblem();
  const signedIn = useSignedInAfter();
  const onSubmit = form.onSubmit(async (values) => {
    const input = { username: String(values.get('username')), email: String(values.get('email')), password: String(values.get('password')) };
    const { data } = await register({ variables: { input } });
    if (data) await signedIn(data.register);
  });
  return (
    <section className="narrow" aria-labelledby="register-title">
      <h1 id="register-title">{t('auth.registerTitle')}</h1>
      <form onSubmit={onSubmit} className="stack">
        <Field label={t('auth.username')} name="username" autoComplete="username" required hint={t('auth.usernameHint')} error={form.at('username')} />
        <Field label={t('auth.email')} name="email" type="email" autoComplete="email" required error={form.at('email')} />
        <Field label={t('auth.password')} name="password" type="password" autoComplete="new-password" required minLength={8} hint={t('auth.passwordHint')} error={form.at('password')} />
        <button type="submit" className="primary" disabled={loading}>{t('auth.register')}</button>
      </form>
      <p>{t('auth.haveAccount')} <Link to="sign-in">{t('nav.signIn')}</Link></p>
    </section>
  );
}
