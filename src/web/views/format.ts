/** Dates as the site shows them: in the operator's time zone, in Russian ("21 ноября 2026"). */
export function formatDate(at: Date | string, timeZone: string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return new Intl.DateTimeFormat('ru-RU', { dateStyle: 'long', timeZone }).format(d).replace(/ г\.$/u, '');
}
