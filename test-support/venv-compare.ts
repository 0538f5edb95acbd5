// Compares two venvs built at the same path at different times: every file and link by content, .pyc
// files by their code objects, and pip's view of what is installed. What may differ between two correct
// builds is named, with the reason.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * Every file and link of a venv with its mode and a content hash; the action's stamp left out. Of a .pyc file only the
 * header's magic, flags and source size: its source mtime differs (the two builds extract the sources at
 * different times), and marshal's back-reference flags depend on the compiling process's reference
 * counts; the code objects are compared by SAME_CODE instead.
 */
export function venvFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const visit = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, d.name)
      const full = path.join(dir, r)
      if (r === '.setup-venv.json') continue
      if (d.isSymbolicLink()) out.set(r, `-> ${fs.readlinkSync(full)}`)
      else if (d.isDirectory()) visit(r)
      else {
        const bytes = fs.readFileSync(full)
        const compared = r.endsWith('.pyc')
          ? Buffer.concat([bytes.subarray(0, 8), bytes.subarray(12, 16)])
          : bytes
        const mode = (fs.statSync(full).mode & 0o7777).toString(8)
        out.set(r, `${mode} ${createHash('sha256').update(compared).digest('hex')}`)
      }
    }
  }
  visit('')
  return out
}

/**
 * Prints each .pyc (relative paths on stdin) whose code objects differ between the two trees: compared
 * by value, recursively, with each code object's file name and line table, which code equality leaves out.
 */
const SAME_CODE = `
import marshal, os, sys
def lines(code):
    out = [(code.co_filename, getattr(code, 'co_linetable', None) or code.co_lnotab)]
    for const in code.co_consts:
        if hasattr(const, 'co_code'):
            out += lines(const)
    return out
for rel in sys.stdin.read().splitlines():
    a, b = [marshal.loads(open(os.path.join(root, rel), 'rb').read()[16:]) for root in sys.argv[1:3]]
    if a != b or lines(a) != lines(b):
        print(rel)
`

/** The .pyc files of `files` whose code objects differ between venvs `a` and `b`, by `python`. */
export function differingBytecode(python: string, a: string, b: string, files: readonly string[]): string[] {
  const input = files.filter((f) => f.endsWith('.pyc')).join('\n')
  return execFileSync(python, ['-c', SAME_CODE, a, b], { input })
    .toString()
    .split('\n')
    .filter((l) => l !== '')
}

/** `pip freeze --all` of a venv, as text. */
export function freezeAll(venv: string, env: NodeJS.ProcessEnv): string {
  return execFileSync(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env }).toString()
}

/** The files whose content differs between two snapshots (and the ones only one of them has). */
export function differingFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()])
  return [...names].filter((f) => a.get(f) !== b.get(f)).sort()
}
