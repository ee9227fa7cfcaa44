/**
 * A text that only a log reads (why a sensor read failed, why a link closed): the Espruino
 * bundle has no log (features.ts), so the minifier drops the text and the board carries an
 * empty string instead.
 */
import { LOGS } from './features.js';

export function logText(text: string): string {
  return LOGS ? text : '';
}
