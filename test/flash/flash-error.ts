/** What the flasher suites share: the FlashError a flash that must fail ends with. */
import { FlashError } from '../../firmware/flash/errors.js';

export async function flashError(promise: Promise<unknown>): Promise<FlashError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FlashError) return error;
    throw error;
  }
  throw new Error('expected the flash to fail');
}
