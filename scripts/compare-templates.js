#!/usr/bin/env node
// Compares the CloudFormation templates of two cdk.out folders with asset hashes normalised:
//   npx cdk synth -c stage=dev -o /tmp/before … (change) … npx cdk synth -c stage=dev -o /tmp/after
//   node scripts/compare-templates.js /tmp/before /tmp/after
// Prints each template as same or with its differing paths; exits 1 when any differs.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node scripts/compare-templates.js <cdk.out before> <cdk.out after>');
  process.exit(2);
}
const HASH = /[0-9a-f]{64}/g;
const templates = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.template.json'));
const load = (file) => JSON.parse(fs.readFileSync(file, 'utf8').replace(HASH, '<hash>'));

function differences(a, b, at, out) {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[key], b[key], `${at}/${key}`, out);
  } else {
    out.push(`${at}: ${JSON.stringify(a)?.slice(0, 120)} → ${JSON.stringify(b)?.slice(0, 120)}`);
  }
  return out;
}

let differ = false;
for (const name of [...new Set([...templates(before), ...templates(after)])].sort()) {
  const [a, b] = [path.join(before, name), path.join(after, name)];
  if (!fs.existsSync(a) || !fs.existsSync(b)) {
    console.log(`${name}: only in ${fs.existsSync(a) ? before : after}`);
    differ = true;
    continue;
  }
  const found = differences(load(a), load(b), '', []);
  console.log(found.length === 0 ? `${name}: same` : `${name}: ${found.length} difference(s)\n  ${found.join('\n  ')}`);
  differ ||= found.length > 0;
}
process.exit(differ ? 1 : 0);
