import { enc, type DepartmentsResult, type VerifyReport } from '../api';
import { useSettings } from '../i18n';
import { BASE, Link } from '../router';
import { useFetch } from '../useFetch';

/** Departments and years to open, and the integrity of the log (verify) for auditors. */
export function Home(props: { version: number }) {
  const { t } = useSettings();
  const departments = useFetch<DepartmentsResult>('/v1/departments', props.version);
  const verify = useFetch<VerifyReport>('/v1/verify', props.version);
  return (
    <main>
      <h1>{t.departments}</h1>
      {departments.error && <p className="error">{departments.error.message}</p>}
      <ul className="departments" data-testid="departments">
        {(departments.data?.departments ?? []).map((d) => (
          <li key={d.department}>
            <strong>{d.department}</strong>
            {d.years.map((y) => (
              <Link key={y.fiscalYear} className="button" href={`${BASE}/departments/${enc(d.department)}/years/${y.fiscalYear}`}>
                {y.fiscalYear} · {y.lines} {t.lines}
              </Link>
            ))}
          </li>
        ))}
      </ul>
      <section className="card" data-testid="integrity">
        <h2>{t.integrity}</h2>
        {verify.loading && <p>{t.loading}</p>}
        {verify.data && (
          <p className={verify.data.ok ? 'pass' : 'flag fail'}>
            {verify.data.ok ? `✓ ${t.intact}` : `✗ ${t.broken}: ${verify.data.firstBrokenPosition ?? ''} ${verify.data.reason ?? ''}`} ·{' '}
            {verify.data.events} {t.events}
          </p>
        )}
        {verify.error && <p className="error">{verify.error.message}</p>}
      </section>
    </main>
  );
}
