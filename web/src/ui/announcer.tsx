import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';

interface Announcement {
  text: string;
  /** A failure is read out at once (role=alert); news waits for a pause (role=status). */
  tone: 'news' | 'failure';
  serial: number;
}

interface Announcer {
  current: Announcement | null;
  region: RefObject<HTMLDivElement | null>;
  /** Shows `text` in the page's message area and has screen readers read it. */
  announce: (text: string, tone?: Announcement['tone']) => void;
  /** Puts keyboard focus on the message area (after an action whose button went away). */
  focusMessage: () => void;
}

const AnnouncerContext = createContext<Announcer | null>(null);

/** The page's one message area, for what changed by the user's actions or by live events. */
export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [current, setCurrent] = useState<Announcement | null>(null);
  const region = useRef<HTMLDivElement>(null);
  const announce = useCallback((text: string, tone: Announcement['tone'] = 'news') => {
    setCurrent((previous) => ({ text, tone, serial: (previous?.serial ?? 0) + 1 }));
  }, []);
  const focusMessage = useCallback(() => {
    requestAnimationFrame(() => region.current?.focus());
  }, []);
  const value = useMemo(() => ({ current, region, announce, focusMessage }), [current, announce, focusMessage]);
  return <AnnouncerContext.Provider value={value}>{children}</AnnouncerContext.Provider>;
}

/** Where the messages show: a live region for news, an alert region for failures. */
export function AnnouncerRegions() {
  const { current, region } = useAnnouncer();
  return (
    <div ref={region} tabIndex={-1} className="messages">
      <div role="status" aria-live="polite" aria-atomic="true">
        {current && current.tone === 'news' && <p key={current.serial} className="message">{current.text}</p>}
      </div>
      <div role="alert" aria-atomic="true">
        {current && current.tone === 'failure' && <p key={current.serial} className="message message-failure">{current.text}</p>}
      </div>
    </div>
  );
}

export function useAnnouncer(): Announcer {
  const announcer = useContext(AnnouncerContext);
  if (!announcer) throw new Error('useAnnouncer outside AnnouncerProvider');
  return announcer;
}
