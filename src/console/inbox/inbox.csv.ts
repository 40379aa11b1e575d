/**
 * CSV for the inbox's export: semicolon-separated with a UTF-8 byte order mark, which is what
 * spreadsheet programs in a Russian locale open in columns with Cyrillic intact; every cell quoted.
 * Cells are patients' own text, so a cell that a spreadsheet would read as a formula (starting
 * with = + - @, a tab or a line break) gets a leading apostrophe: shown as text, never evaluated
 * (CSV injection, OWASP). Phone numbers in E.164 start with "+", so they carry it too.
 *
 * @example
 *   csvLine(['№', 'Имя']); // '"№";"Имя"\r\n'
 *   csvCell('=HYPERLINK("http://x")'); // `"'=HYPERLINK(""http://x"")"`
 */

export const CSV_BOM = '\uFEFF';
const SEPARATOR = ';';
const FORMULA_START = /^[=+\-@\t\r\n]/;

/** One cell, quoted, with quotes doubled and a would-be formula defused. */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/** One record, CRLF-terminated (RFC 4180). */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(SEPARATOR) + '\r\n';
}
