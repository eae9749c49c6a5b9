import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApolloClient, createSession } from './apollo/client';
import { App } from './app/App';
import { SessionProvider } from './auth/SessionProvider';
import { I18nProvider } from './i18n/i18n';
import { AnnouncerProvider } from './ui/announcer';
import './styles.css';

const session = createSession();
const client = createApolloClient(session);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <SessionProvider session={session}>
        <I18nProvider>
          <AnnouncerProvider>
            <App />
          </AnnouncerProvider>
        </I18nProvider>
      </SessionProvider>
    </ApolloProvider>
  </StrictMode>,
);
