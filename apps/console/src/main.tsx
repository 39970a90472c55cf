import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { onSignInNeeded, signIn } from './api';
import type { Unit } from './format';
import { LABELS, SettingsContext, type Lang } from './i18n';
import { DepartmentYear } from './pages/DepartmentYear';
import { Home } from './pages/Home';
import { Line } from './pages/Line';
import { YearEnd } from './pages/YearEnd';
import { BASE, Link, useLocation } from './router';
import './styles.css';

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  const value = window.localStorage.getItem(key);
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** The page a /console path shows (the year-end page before the department-year's, whose path it extends). */
function pageOf(path: string, search: URLSearchParams, version: number) {
  const rest = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  const deptYear = /^\/departments\/([^/]+)\/years\/(\d{4})(\/year-end)?\/?$/.exec(rest);
  const line = /^\/lines\/([^/]+)\/?$/.exec(rest);
  if (deptYear) {
    const props = { department: decodeURIComponent(deptYear[1] ?? ''), year: Number(deptYear[2]), search, version };
    const key = `${deptYear[1]}/${deptYear[2]}`;
    return deptYear[3] ? <YearEnd key={`${key}/year-end`} {...props} /> : <DepartmentYear key={key} {...props} />;
  }
  if (line) return <Line key={line[1]} lineId={decodeURIComponent(line[1] ?? '')} search={search} version={version} />;
  return <Home version={version} />;
}

function App() {
  const { path, search } = useLocation();
  const [lang, setLang] = useState<Lang>(() => stored('ledger.lang', ['zh', 'en'], 'zh'));
  const [unit, setUnit] = useState<Unit>(() => stored('ledger.unit', ['yuan', 'wan'], 'wan'));
  const [needSignIn, setNeedSignIn] = useState(false);
  // Bumped after signing in, so that every table fetches again.
  const [version, setVersion] = useState(0);
  useEffect(() => onSignInNeeded(() => setNeedSignIn(true)), []);
  useEffect(() => window.localStorage.setItem('ledger.lang', lang), [lang]);
  useEffect(() => window.localStorage.setItem('ledger.unit', unit), [unit]);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const t = LABELS[lang];

  const page = pageOf(path, search, version);

  return (
    <SettingsContext.Provider value={{ lang, unit, t }}>
      <header className="top">
        <Link href={`${BASE}/`} className="brand">
          {t.title}
        </Link>
        <span className="spacer" />
        <div className="switch" role="group" aria-label="unit">
          <button className={unit === 'yuan' ? 'on' : ''} onClick={() => setUnit('yuan')} data-testid="unit-yuan">
            {t.unitYuan}
          </button>
          <button className={unit === 'wan' ? 'on' : ''} onClick={() => setUnit('wan')} data-testid="unit-wan">
            {t.unitWan}
          </button>
        </div>
        <div className="switch" role="group" aria-label="language">
          <button className={lang === 'zh' ? 'on' : ''} onClick={() => setLang('zh')} data-testid="lang-zh">
            中文
          </button>
          <button className={lang === 'en' ? 'on' : ''} onClick={() => setLang('en')} data-testid="lang-en">
            English
          </button>
        </div>
      </header>
      {page}
      {needSignIn && (
        <SignIn
          onDone={() => {
            setNeedSignIn(false);
            setVersion((v) => v + 1);
          }}
        />
      )}
    </SettingsContext.Provider>
  );
}

function SignIn(props: { onDone: () => void }) {
  const t = LABELS[stored<Lang>('ledger.lang', ['zh', 'en'], 'zh')];
  const [key, setKey] = useState('');
  const [failed, setFailed] = useState(false);
  return (
    <div className="modal" role="dialog" data-testid="sign-in">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void signIn(key).then((ok) => (ok ? props.onDone() : setFailed(true)));
        }}
      >
        <h2>{t.signIn}</h2>
        <p>{t.signInHint}</p>
        <label>
          {t.key} <input type="password" value={key} onChange={(e) => setKey(e.target.value)} autoFocus />
        </label>
        {failed && <p className="error">401</p>}
        <button type="submit">{t.signIn}</button>
      </form>
    </div>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
