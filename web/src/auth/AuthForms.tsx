import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { Link, navigate } from '../app/router';
import { describeProblem, type Problem } from '../ui/errors';
import { Field } from '../ui/Field';
import { useAnnouncer } from '../ui/announcer';
import { LoginDocument, RegisterDocument } from './operations';
import { useSession } from './SessionProvider';

function useSignedInAfter() {
  const { signIn } = useSession();
  return async (grant: Parameters<typeof signIn>[0]) => {
    await signIn(grant);
    navigate(grant.user.role === 'CUSTOMER' ? 'menu' : grant.user.role === 'CHEF' ? 'kitchen' : 'dishes');
  };
}

function FormProblem({ problem }: { problem: Problem | null }) {
  if (!problem || problem.field) return null;
  return <p className="form-error" role="alert">{problem.message}</p>;
}

export function SignInPage() {
  const { t } = useI18n();
  const [login, { loading }] = useMutation(LoginDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const signedIn = useSignedInAfter();
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setProblem(null);
    try {
      const { data } = await login({ variables: { input: { email: String(form.get('email')), password: String(form.get('password')) } } });
      if (data) await signedIn(data.login);
    } catch (error) {
      setProblem(describeProblem(error, t));
    }
  };
  return (
    <section className="narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('auth.signInTitle')}</h1>
      <form onSubmit={onSubmit} className="stack">
        <Field label={t('auth.email')} name="email" type="email" autoComplete="email" required error={problem?.field === 'email' ? problem.message : undefined} />
        <Field label={t('auth.password')} name="password" type="password" autoComplete="current-password" required />
        <FormProblem problem={problem} />
        <button type="submit" className="primary" disabled={loading}>{t('auth.signIn')}</button>
      </form>
      <p>{t('auth.noAccount')} <Link to="register">{t('nav.register')}</Link></p>
    </section>
  );
}

export function RegisterPage() {
  const { t } = useI18n();
  const { announce } = useAnnouncer();
  const [register, { loading }] = useMutation(RegisterDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const signedIn = useSignedInAfter();
  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setProblem(null);
    try {
      const input = { username: String(form.get('username')), email: String(form.get('email')), password: String(form.get('password')) };
      const { data } = await register({ variables: { input } });
      if (data) await signedIn(data.register);
    } catch (error) {
      const described = describeProblem(error, t);
      setProblem(described);
      if (described.field) announce(described.message, 'failure');
    }
  };
  const errorOf = (field: string) => (problem?.field === field ? problem.message : undefined);
  return (
    <section className="narrow" aria-labelledby="register-title">
      <h1 id="register-title">{t('auth.registerTitle')}</h1>
      <form onSubmit={onSubmit} className="stack">
        <Field label={t('auth.username')} name="username" autoComplete="username" required hint={t('auth.usernameHint')} error={errorOf('username')} />
        <Field label={t('auth.email')} name="email" type="email" autoComplete="email" required error={errorOf('email')} />
        <Field label={t('auth.password')} name="password" type="password" autoComplete="new-password" required minLength={8} hint={t('auth.passwordHint')} error={errorOf('password')} />
        <FormProblem problem={problem} />
        <button type="submit" className="primary" disabled={loading}>{t('auth.register')}</button>
      </form>
      <p>{t('auth.haveAccount')} <Link to="sign-in">{t('nav.signIn')}</Link></p>
    </section>
  );
}
