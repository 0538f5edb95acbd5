import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { credentialsIn, indexSettings, stripCredentials } from '../../src/pipconfig.js'

test('stripCredentials', () => {
  expect(stripCredentials('https://user:tok@pypi.example.org/simple')).toBe('https://pypi.example.org/simple')
  expect(stripCredentials('https://tok@pypi.example.org/simple')).toBe('https://pypi.example.org/simple')
  expect(stripCredentials('/opt/wheels')).toBe('/opt/wheels')
})

test('credentialsIn finds user-info and the decoded password', () => {
  expect(credentialsIn('--index-url https://me:p%40ss@x.org/simple')).toEqual(['me:p%40ss', 'p@ss'])
})

test('index settings from config files and PIP_* variables, credentials stripped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipconf-'))
  const global = path.join(dir, 'pip.conf')
  fs.writeFileSync(
    global,
    '[global]\nindex-url = https://u:secret@corp.example/simple\nextra_index_url =\n  file:///a\n  file:///b\ntimeout = 5\n[freeze]\nfind-links = /ignored\n',
  )
  const settings = indexSettings([global, path.join(dir, 'missing.conf')], {
    PIP_FIND_LINKS: '/opt/wheels',
    PIP_EXTRA_INDEX_URL: 'https://tok@extra.example/simple',
  })
  expect(settings).toEqual([
    `${global} global.index-url=https://corp.example/simple`,
    `${global} global.extra-index-url=file:///a file:///b`,
    'env extra-index-url=https://extra.example/simple',
    'env find-links=/opt/wheels',
  ])
  expect(indexSettings([global], { PIP_CONFIG_FILE: '/dev/null' })).toEqual([])
})
