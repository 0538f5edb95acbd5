import { splitWords } from '../../src/words.js'

test.each<[string, string[]]>([
  ['', []],
  ['  --pre   --no-deps ', ['--pre', '--no-deps']],
  [`-i "https://a b" 'c d'`, ['-i', 'https://a b', 'c d']],
  ['a\\ b', ['a b']],
  [`"say \\"hi\\""`, ['say "hi"']],
  ['C:\\wheels\\x', ['C:\\wheels\\x']],
  [`''`, ['']],
  [`x"y z"w`, ['xy zw']],
])('%s', (text, words) => {
  expect(splitWords(text, 'pip-args')).toEqual(words)
})

test('an unclosed quote names the input', () => {
  expect(() => splitWords(`'abc`, 'pip-args')).toThrow("Input 'pip-args' has an unclosed ' quote")
})
