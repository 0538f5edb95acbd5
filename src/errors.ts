/**
 * A failure the user can fix by changing an input or a file. The action shows its message alone; any other
 * error is unexpected and is shown with its stack.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
