/** An antd Form rule from a plain check: the message of what is wrong with the value, or null. */
export function checkRule<T>(problem: (value: T) => string | null) {
  return {
    validator: (_: unknown, value: T): Promise<void> => {
      const message = problem(value)
      return message === null ? Promise.resolve() : Promise.reject(new Error(message))
    },
  }
}
