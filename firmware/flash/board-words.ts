/** How messages name a board: "an Arduino Uno R3", "a Raspberry Pi 4 Model B". */
import type { BoardProfile } from '../../hardware/config/index.js';

export function boardPhrase(board: Pick<BoardProfile, 'name'>): string {
  return `${/^[aeiou]/i.test(board.name) ? 'an' : 'a'} ${board.name}`;
}
