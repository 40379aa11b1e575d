/**
 * The signature under a published review, made from the name the author typed and what the
 * publication consent allows: the first name and the surname's initial, the first name alone, or
 * nothing (anonymous). It never shows more than allowed: a missing part is left out, and an empty
 * name reads as anonymous.
 *
 * @example
 *   reviewSignature('Вера Смирнова', 'first_name_initial'); // 'Вера С.'
 *   reviewSignature('Смирнова Вера Ивановна', 'first_name_initial', 'surname_first'); // 'Вера С.'
 *   reviewSignature('Вера Смирнова', 'first_name'); // 'Вера'
 *   reviewSignature('Вера Смирнова', 'anonymous'); // null
 */
import type { NameOrder, ReviewShow } from './reviews.schemas.ts';

/** A word of the name without the punctuation around it ("С." -> "С", "«Вера»" -> "Вера"). */
function bare(word: string): string {
  return word.replace(/^[^\p{L}\p{M}]+|[^\p{L}\p{M}]+$/gu, '');
}

export function reviewSignature(
  name: string | undefined,
  show: ReviewShow,
  order: NameOrder = 'given_first',
): string | null {
  if (show === 'anonymous') return null;
  const words = (name ?? '')
    .split(/\s+/u)
    .map(bare)
    .filter((w) => w !== '');
  const [given, surname] = order === 'surname_first' ? [words[1], words[0]] : [words[0], words[1]];
  if (given === undefined) {
    // "Смирнова" read surname first has no first name: nothing may be shown.
    return null;
  }
  if (show === 'first_name' || surname === undefined) return given;
  const initial = [...surname][0]!.toLocaleUpperCase('ru-RU');
  return `${given} ${initial}.`;
}
