/**
 * Checkout bundle size (see bench/README.md, "Checkout bundle size").
 *
 *   npx nx build checkout && node --import tsx bench/checkout-bundle-size.ts
 *   node --import tsx bench/checkout-bundle-size.ts --build      # builds first (nx build checkout)
 *
 * Reads the BUILT hosted checkout (apps/checkout/dist), follows what a browser loads for
 * /pay/<token>: every JavaScript file index.html references (module scripts, modulepreload
 * links) and, transitively, their static imports. Each file is gzipped (zlib default level, as
 * a server or CDN would and as Vite reports it) and the total is compared with the budget:
 * 100 KB = 100,000 bytes of gzipped JavaScript for the sandbox path. Lazily loaded chunks
 * (dynamic import()) and CSS are listed for information, not counted.
 *
 * Writes (or replaces) the "## Checkout bundle" section of bench/RESULTS.md, leaving the other
 * sections alone, and exits 1 when the total is over budget (2 when there is no build).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const SECTION_TITLE = '## Checkout bundle';

const { values: args } = parseArgs({
  options: {
    build: { type: 'boolean', default: false },
    dist: { type: 'string', default: path.join(REPO_ROOT, 'apps', 'checkout', 'dist') },
    budget: { type: 'string', default: '100000' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'RESULTS.md') },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`Usage: node --import tsx bench/checkout-bundle-size.ts [--build] [--dist dir] [--budget bytes] [--out file] [--no-write]
  --build     run \`npx nx build checkout\` first (otherwise the existing apps/checkout/dist is measured)
  --dist      the built checkout; default apps/checkout/dist
  --budget    gzipped JavaScript budget in bytes; default 100000 (100 KB)
  --out       results file whose "${SECTION_TITLE}" section is written; default bench/RESULTS.md
  --no-write  print only
Exit code: 0 within budget, 1 over budget, 2 no build / unreadable build.`);
  process.exit(0);
}

const DIST = path.resolve(args.dist);
const BUDGET = Number(args.budget);
if (!Number.isInteger(BUDGET) || BUDGET <= 0) fail(`--budget must be a positive integer (bytes), got ${args.budget}`);
const OUT_FILE = path.resolve(args.out);

if (args.build) {
  console.log('building: npx nx build checkout');
  execFileSync('npx', ['nx', 'build', 'checkout', '--output-style=static'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

const indexHtml = path.join(DIST, 'index.html');
if (!fs.existsSync(indexHtml)) {
  fail(`No build at ${rel(DIST)}. Build first: npx nx build checkout (or pass --build).`);
}

// ---------------------------------------------------------------------------------------------
// What index.html loads

const html = fs.readFileSync(indexHtml, 'utf8');
const base = '/pay/'; // vite `base` of apps/checkout; asset URLs in index.html start with it
const entryRefs = new Set<string>();
const cssRefs = new Set<string>();
for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
  const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
  if (/^<script/i.test(tag)) {
    const src = attr('src');
    if (src) entryRefs.add(src);
    else fail('index.html has an inline <script>: the checkout CSP (script-src \'self\') would block it.');
  } else {
    const rel = attr('rel')?.toLowerCase();
    const href = attr('href');
    if (!href) continue;
    if (rel === 'modulepreload') entryRefs.add(href);
    if (rel === 'stylesheet') cssRefs.add(href);
  }
}
if (entryRefs.size === 0) fail('index.html references no JavaScript: is this the checkout build?');

function toFile(ref: string, from = DIST): string {
  if (/^(https?:)?\/\//i.test(ref)) fail(`index.html loads a script from another origin (${ref}); the CSP allows only 'self'.`);
  const clean = ref.split(/[?#]/)[0]!;
  const inDist = clean.startsWith(base) ? clean.slice(base.length) : clean.startsWith('/') ? clean.slice(1) : null;
  const file = inDist !== null ? path.join(DIST, inDist) : path.resolve(from, clean);
  if (!file.startsWith(DIST + path.sep)) fail(`${ref} points outside the build directory`);
  if (!fs.existsSync(file)) fail(`${ref} is referenced but ${rel(file)} does not exist (stale build?)`);
  return file;
}

// Static imports of built (minified) ES modules: `import{a}from"./x.js"`, `import"./x.js"`,
// `export*from"./x.js"`. Dynamic `import("./x.js")` chunks load later, on demand.
const STATIC_IMPORT = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

interface Measured {
  file: string;
  raw: number;
  gzip: number;
  how: string;
}

const counted = new Map<string, Measured>();
const lazy = new Map<string, Measured>();
const queue: { file: string; how: string }[] = [...entryRefs].map((ref) => ({ file: toFile(ref), how: 'index.html' }));
while (queue.length > 0) {
  const { file, how } = queue.shift()!;
  if (counted.has(file)) continue;
  const source = fs.readFileSync(file);
  counted.set(file, measure(file, source, how));
  const text = source.toString('utf8');
  for (const m of text.matchAll(STATIC_IMPORT)) {
    const spec = m[1]!;
    if (!spec.startsWith('.') && !spec.startsWith('/')) continue; // bare specifiers cannot occur in a browser build
    queue.push({ file: toFile(spec, path.dirname(file)), how: `static import in ${path.basename(file)}` });
  }
  for (const m of text.matchAll(DYNAMIC_IMPORT)) {
    const spec = m[1]!;
    if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
    const target = toFile(spec, path.dirname(file));
    if (!lazy.has(target)) lazy.set(target, measure(target, fs.readFileSync(target), `import() in ${path.basename(file)}`));
  }
}
for (const file of counted.keys()) lazy.delete(file);
const css = [...cssRefs].map((ref) => {
  const file = toFile(ref);
  return measure(file, fs.readFileSync(file), 'index.html');
});

function measure(file: string, source: Buffer, how: string): Measured {
  return { file, raw: source.length, gzip: zlib.gzipSync(source).length, how };
}

// ---------------------------------------------------------------------------------------------
// Report

const totalRaw = sum([...counted.values()].map((m) => m.raw));
const totalGzip = sum([...counted.values()].map((m) => m.gzip));
const within = totalGzip <= BUDGET;
const pct = (totalGzip / BUDGET) * 100;

console.log(`checkout JavaScript loaded by ${rel(indexHtml)} (entry + static imports):`);
for (const m of counted.values()) console.log(`  ${rel(m.file)}  ${kb(m.raw)} raw, ${kb(m.gzip)} gzip  (${m.how})`);
for (const m of lazy.values()) console.log(`  [lazy, not counted] ${rel(m.file)}  ${kb(m.gzip)} gzip  (${m.how})`);
for (const m of css) console.log(`  [css, not counted] ${rel(m.file)}  ${kb(m.gzip)} gzip`);
console.log(
  `total: ${kb(totalGzip)} gzip (${totalGzip} bytes) of ${kb(BUDGET)} budget = ${pct.toFixed(1)}% — ${within ? 'within budget' : 'OVER BUDGET'}`,
);

const buildTime = fs.statSync(indexHtml).mtime;
const rows = [...counted.values()].map((m) => `| \`${rel(m.file)}\` | ${m.how} | ${kb(m.raw)} | **${kb(m.gzip)}** |`);
const extraRows = [
  ...[...lazy.values()].map((m) => `| \`${rel(m.file)}\` | lazy: ${m.how} (not counted) | ${kb(m.raw)} | ${kb(m.gzip)} |`),
  ...css.map((m) => `| \`${rel(m.file)}\` | stylesheet (not counted) | ${kb(m.raw)} | ${kb(m.gzip)} |`),
];
const section = `${SECTION_TITLE}

Generated by \`node --import tsx bench/checkout-bundle-size.ts\` (see bench/README.md): the JavaScript a
browser loads for the hosted checkout (\`/pay/<token>\`, sandbox path) — every script of
\`apps/checkout/dist/index.html\` and their static imports — gzipped (zlib default level).

| | |
|---|---|
| Date | ${new Date().toISOString()} |
| Build measured | \`${rel(DIST)}\`, built ${buildTime.toISOString()} |
| Node.js | ${process.version} |
| Budget | ${kb(BUDGET)} gzip (${BUDGET} bytes) |

| File | Loaded by | Raw | Gzip |
|---|---|---:|---:|
${[...rows, ...extraRows].join('\n')}
| **Total JavaScript** | | ${kb(totalRaw)} | **${kb(totalGzip)}** |

**${kb(totalGzip)} of ${kb(BUDGET)} (${pct.toFixed(1)}%) — ${within ? `within budget, ${kb(BUDGET - totalGzip)} to spare` : `OVER BUDGET by ${kb(totalGzip - BUDGET)}`}.**
`;

if (!args['no-write']) {
  const before = fs.existsSync(OUT_FILE) ? fs.readFileSync(OUT_FILE, 'utf8') : '';
  fs.writeFileSync(OUT_FILE, replaceSection(before, section));
  console.log(`wrote the "${SECTION_TITLE}" section of ${rel(OUT_FILE)}`);
}
process.exit(within ? 0 : 1);

/** Replaces the section (its heading up to the next heading of level 1 or 2), or appends it. */
function replaceSection(doc: string, replacement: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === SECTION_TITLE);
  if (start === -1) return `${doc.replace(/\s*$/, '')}${doc.trim() ? '\n\n' : ''}${replacement}`;
  let end = lines.findIndex((l, i) => i > start && /^#{1,2}\s/.test(l));
  if (end === -1) end = lines.length;
  const head = lines.slice(0, start).join('\n').replace(/\s*$/, '');
  const tail = lines.slice(end).join('\n').replace(/^\s*/, '');
  return `${head ? `${head}\n\n` : ''}${replacement}${tail ? `\n${tail}` : ''}`;
}

/** Repository-relative when inside the repository, else absolute. */
function rel(file: string): string {
  const relative = path.relative(REPO_ROOT, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
