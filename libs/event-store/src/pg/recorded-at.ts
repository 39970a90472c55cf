/**
 * Turns the server's text form of a timestamptz (DateStyle ISO, time zone UTC:
 * `2021-03-15 01:02:03.004+00`, trailing zeros of the fraction dropped) into the ISO form of
 * Date#toISOString. The events of one transaction share one time and are read side by side, so
 * the last conversion is kept. A time with more than milliseconds (which the store never writes)
 * keeps its microseconds, so that verify notices it.
 */
export class RecordedAtFormat {
  private lastText = '';
  private lastIso = '';

  iso(text: string): string {
    if (text === this.lastText) return this.lastIso;
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/.exec(text);
    let iso: string;
    if (match === null) {
      iso = new Date(text).toISOString();
    } else {
      const fraction = (match[3] ?? '').padEnd(3, '0');
      iso = `${match[1]}T${match[2]}.${fraction.length > 3 && /[1-9]/.test(fraction.slice(3)) ? fraction : fraction.slice(0, 3)}Z`;
    }
    this.lastText = text;
    this.lastIso = iso;
    return iso;
  }
}
