import type { Quarter } from '../api';
import { useSettings } from '../i18n';

/** An instant as the value of a datetime-local input, in the browser's time zone, to the millisecond. */
function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** asOf (a business date) and knownAt (an instant) pickers; both live in the URL. */
export function TimeControls(props: {
  asOf: string;
  knownAt: string | undefined;
  year: number;
  closes: Quarter[];
  onChange: (p: { asOf?: string; knownAt?: string }) => void;
}) {
  const { t } = useSettings();
  return (
    <section className="controls time" data-testid="time-controls">
      <label>
        {t.asOf}{' '}
        <input
          type="date"
          value={props.asOf}
          min={`${props.year}-01-01`}
          max={`${props.year}-12-31`}
          data-testid="asof"
          onChange={(e) => e.target.value !== '' && props.onChange({ asOf: e.target.value, knownAt: props.knownAt })}
        />
      </label>
      <label>
        {t.knownAt}{' '}
        <input
          type="datetime-local"
          step="0.001"
          value={toLocalInput(props.knownAt)}
          data-testid="knownat"
          onChange={(e) => {
            const d = new Date(e.target.value);
            if (!Number.isNaN(d.getTime())) props.onChange({ asOf: props.asOf, knownAt: d.toISOString() });
          }}
        />
      </label>
      <button
        onClick={() => props.onChange({ asOf: props.asOf, knownAt: undefined })}
        data-testid="knownat-now"
        disabled={props.knownAt === undefined}
      >
        {t.now}
      </button>
      {props.closes
        .filter((q) => q.closed && q.reported !== undefined)
        .map((q) => (
          <button
            key={q.period}
            className="shortcut"
            data-testid={`reported-${q.period}`}
            onClick={() => props.onChange({ asOf: q.date, knownAt: q.reported?.knownAt })}
            title={q.reported?.knownAt}
          >
            {t.reportedAt.replace('{q}', q.period)}
          </button>
        ))}
    </section>
  );
}
