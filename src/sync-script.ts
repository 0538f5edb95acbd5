// The Python half of the sync (see sync.ts): run by the venv's own interpreter, it reads what the venv's
// site-packages hold, and sets each distribution's REQUESTED marker the way pip's wheel installer writes it.

/**
 * Reads a JSON order on stdin, `{"requested": {key: bool}, "compare": [[a, b], ...]}` (both optional),
 * and prints the venv's state as JSON:
 * - `root`: the venv (sys.prefix), and `protected`: the directories a new venv has, or holds its
 *   site-packages and scripts in, each with whether it exists;
 * - `dists`: every `*.dist-info` and `*.egg-info` in the site-packages directories, with its name,
 *   canonical key, version, RECORD (absolute, normalized paths with their hashes; for each `.py`
 *   file also the bytecode path Python and pip's uninstall use), REQUESTED (the file, and its RECORD
 *   line), INSTALLER, direct_url.json and the WHEEL file's tags and build number;
 * - `order`: for each pair in `compare`, -1, 0 or 1 as PEP 440 orders the two versions.
 *
 * Before reading, each distribution named in `requested` gets its REQUESTED file made or removed to match,
 * and its RECORD rewritten as pip writes it (pip's wheel.py: the empty file's hash and size 0, rows
 * sorted as tuples of strings, csv.writer over a file opened with newline='' in UTF-8); a RECORD that
 * already agrees is not touched. Paths are resolved through symlinks (a venv's lib64 is one) and
 * normcased, so that one file always has one spelling.
 */
export const STATE_SCRIPT = `
import csv, json, os, re, site, sys, sysconfig
from email.parser import HeaderParser
from importlib.util import cache_from_source

EMPTY_HASH = 'sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
order = json.loads(sys.stdin.read() or '{}')
wanted = order.get('requested', {})

def norm(p):
    return os.path.normcase(os.path.normpath(p))

def canon(name):
    return re.sub(r'[-_.]+', '-', name).lower()

def read(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except FileNotFoundError:
        return None

def read_record(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.reader(f))

def set_requested(lib, info, want):
    marker = os.path.join(lib, info, 'REQUESTED')
    record = os.path.join(lib, info, 'RECORD')
    rel = info + '/REQUESTED'
    rows = read_record(record)
    has_row = any(row[:1] == [rel] for row in rows)
    has_file = os.path.lexists(marker)
    if has_row == want and has_file == want:
        return
    if any(len(row) != 3 for row in rows):
        sys.exit('%s has a row without three fields: not rewritten' % record)
    rows = [row for row in rows if row[0] != rel]
    if want:
        open(marker, 'wb').close()
        rows.append([rel, EMPTY_HASH, '0'])
    elif has_file:
        os.remove(marker)
    with open(record, 'w', newline='', encoding='utf-8') as f:
        csv.writer(f).writerows(sorted(tuple(row) for row in rows))

paths = sysconfig.get_paths()
root = os.path.realpath(sys.prefix)
# Where pip installs (sysconfig's scheme) and where Python, so pip freeze, looks (site's list).
sites = []
for d in [paths['purelib'], paths['platlib']] + site.getsitepackages():
    d = os.path.realpath(d)
    if d not in sites and os.path.isdir(d):
        sites.append(d)

protected = {norm(root), norm(os.path.join(root, 'include')), norm(os.path.join(root, 'Include'))}
for d in sites + [os.path.realpath(paths['scripts'])]:
    while norm(d).startswith(norm(root) + os.sep):
        protected.add(norm(d))
        d = os.path.dirname(d)

dists = []
for lib in sites:
    for info in sorted(os.listdir(lib)):
        if not info.endswith(('.dist-info', '.egg-info')):
            continue
        base = os.path.join(lib, info)
        meta = read(os.path.join(base, 'METADATA') if info.endswith('.dist-info') else os.path.join(base, 'PKG-INFO'))
        if meta is None and os.path.isfile(base):
            meta = read(base)
        headers = HeaderParser().parsestr(meta or '')
        name, version = headers.get('Name'), headers.get('Version')
        dist = {'info': norm(base), 'name': name, 'key': canon(name or ''), 'version': version,
                'kind': info.rsplit('.', 1)[1], 'record': None}
        dists.append(dist)
        if dist['kind'] != 'dist-info' or not os.path.isfile(os.path.join(base, 'RECORD')):
            continue
        if dist['key'] in wanted:
            set_requested(lib, info, wanted[dist['key']])
        files, pycs, record_requested = [], [], False
        for row in read_record(os.path.join(base, 'RECORD')):
            if not row:
                continue
            record_requested = record_requested or row[0] == info + '/REQUESTED'
            full = os.path.normpath(os.path.join(lib, row[0]))
            files.append([os.path.normcase(full), row[1] if len(row) > 1 else ''])
            if full.endswith('.py'):
                pycs.append(norm(cache_from_source(full)))
        wheel = read(os.path.join(base, 'WHEEL'))
        wheel_headers = HeaderParser().parsestr(wheel) if wheel is not None else None
        direct = read(os.path.join(base, 'direct_url.json'))
        installer = read(os.path.join(base, 'INSTALLER'))
        dist.update({
            'record': files,
            'pycs': pycs,
            'requested': os.path.lexists(os.path.join(base, 'REQUESTED')),
            'recordRequested': record_requested,
            'installer': installer.strip() if installer is not None else None,
            'directUrl': json.loads(direct) if direct is not None else None,
            'wheel': None if wheel_headers is None else {
                'tags': sorted(wheel_headers.get_all('Tag') or []),
                'build': wheel_headers.get('Build'),
            },
        })

def compare(a, b):
    try:
        from pip._vendor.packaging.version import parse
        va, vb = parse(a), parse(b)
    except Exception:
        va, vb = a, b
    return (va > vb) - (va < vb)

print(json.dumps({
    'root': norm(root),
    'protected': sorted([d, os.path.isdir(d)] for d in protected),
    'dists': dists,
    'order': [compare(a, b) for a, b in order.get('compare', [])],
}))
`
